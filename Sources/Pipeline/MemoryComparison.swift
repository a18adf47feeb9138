import CharLSTM
import Foundation
import NGramBaseline
import Report

/// Compares the LSTM with a Kneser–Ney n-gram model trained on the same training text,
/// for the "What memory buys" page (issue 14, items 1 and 2).
///
/// Cost, bounded: the analysed text is cut to its first `maxCharacters` (200,000) before
/// scoring; the n-gram model is built on the whole training text (about 9 bytes per
/// training character plus 60–80 bytes per substring seen twice: ~120 MB and 4–10 s for
/// War and Peace at order 9, see NOTES-ngram.md). The LSTM scores the text once more, as
/// one stream from a zero state (`Scorer`).
public struct MemoryComparison: Sendable {
  /// The n-gram order of the comparison (1…20); the taxonomy always uses orders 1…9.
  public var order = KneserNeyModel.defaultOrder
  /// Characters of the analysed text scored at most.
  public var maxCharacters = 200_000
  /// Orders the error taxonomy's n-gram class checks: 1…9 as in the paper.
  public static let taxonomyOrders = 9

  public init() {}

  /// Where the n-gram model's training text comes from.
  public enum TrainingText: Sendable {
    /// The text the model trained on, whole: its training split is taken under the
    /// checkpoint's recorded split (`run`, `demo`, `report --held-out`).
    case modelTrainingText(String)
    /// A file given with `--ngram-train`, used whole; `name` is shown on the page.
    case file(name: String, text: String)
  }

  /// The training part of `text` under `checkpoint`'s recorded split: the training
  /// batches of every stream, streams concatenated in order (the few n-grams that
  /// straddle two streams are the only ones the LSTM never saw in training).
  ///
  /// - Throws: `invalidOption` without a training record, `characterNotInVocabulary`,
  ///   `textTooShort`.
  public static func trainingSplit(_ text: String, checkpoint: Checkpoint) throws -> [Int32] {
    guard let record = checkpoint.training else {
      throw CellscopeError.invalidOption(
        "the n-gram comparison needs the training split, which only a checkpoint trained by cellscope records; give --ngram-train FILE."
      )
    }
    let dataset = try Dataset(
      indices: try checkpoint.vocabulary.encode(text), batch: record.options.batchSize,
      steps: record.options.seqLength, trainFrac: record.options.trainFrac, valFrac: record.options.valFrac)
    var out: [Int32] = []
    out.reserveCapacity(dataset.trainBatches.count * dataset.T * dataset.B)
    for b in 0..<dataset.B {
      let start = b * dataset.streamLength
      out.append(contentsOf: dataset.data[start..<(start + dataset.trainBatches.count * dataset.T)])
    }
    return out
  }

  /// Trains the n-gram model on `training`, scores `analysed` with both models and
  /// computes bits per character, the per-character difference, the closer curve and
  /// the error taxonomy.
  ///
  /// - Throws: `characterNotInVocabulary` (either text), `textTooShort` (fewer than 2
  ///   analysed characters), `invalidOption` (order outside 1…20, no split recorded).
  public func run(_ checkpoint: Checkpoint, analysed: String, training: TrainingText) throws -> MemoryReport {
    guard (1...KneserNeyModel.maximumOrder).contains(order) else {
      throw CellscopeError.invalidOption(
        "--ngram-order must be between 1 and \(KneserNeyModel.maximumOrder), not \(order).")
    }
    let vocabulary = checkpoint.vocabulary
    let trainSymbols: [Int32]
    let source: String
    switch training {
    case .modelTrainingText(let text):
      trainSymbols = try Self.trainingSplit(text, checkpoint: checkpoint)
      source = "the model's training split"
    case .file(let name, let text):
      trainSymbols = try vocabulary.encode(text)
      source = "\(name) (--ngram-train)"
    }
    // Cut by characters (a byte model's text is never cut inside a character).
    let truncated = analysed.unicodeScalars.count > maxCharacters
    let body = analysed.prefix(scalars: maxCharacters)
    let units = Vocabulary.units(of: body, kind: vocabulary.kind)
    let symbols = try encode(units, vocabulary)
    guard symbols.count >= 2 else {
      throw CellscopeError.textTooShort("the text to compare", needed: 2, got: symbols.count)
    }

    // LSTM: loss of each character from position 1 on (position 0 is not predicted).
    var lstmLoss = [Double](repeating: 0, count: symbols.count)
    let scorer = Scorer(checkpoint: checkpoint)
    _ = try scorer.score(body, perChar: { t, _, nll in lstmLoss[t] = nll })

    let ngram: KneserNeyModel
    let byOrder: [[Double]]
    let topOrder = max(order, Self.taxonomyOrders)
    do {
      ngram = try KneserNeyModel(training: trainSymbols, vocabularySize: vocabulary.count, order: topOrder)
      byOrder = try ngram.probabilitiesByOrder(of: symbols, orders: 1...topOrder)
    } catch {
      throw CellscopeError.invalidOption("the n-gram comparison failed: \(error.description)")
    }
    let ngramLoss = byOrder[order - 1].map { -Foundation.log($0) }
    let ln2 = Foundation.log(2.0)

    // Drop position 0 from both sides: the LSTM does not predict it.
    let scalars = units.map { Unicode.Scalar($0) ?? "\u{FFFD}" }
    let text = Array(scalars.dropFirst())
    let lstm = Array(lstmLoss.dropFirst())
    let gram = Array(ngramLoss.dropFirst())
    let curve = try? CloserDistanceCurve(text: text, lossA: lstm, lossB: gram)
    let settings = TaxonomySettings()
    let stats = TrainingStatistics(
      training: trainSymbols.map { Unicode.Scalar(vocabulary.symbols[Int($0)]) ?? "\u{FFFD}" },
      substringLength: settings.memoryLength)
    let breakdown = try? ErrorTaxonomy.classify(
      text: text, lstmProbabilities: lstm.map { Foundation.exp(-$0) },
      ngramProbabilities: byOrder.prefix(Self.taxonomyOrders).map { Array($0.dropFirst()) }, training: stats,
      settings: settings)

    let n = Double(lstm.count)
    return MemoryReport(
      ngramOrder: order, trainingSource: source, trainingCharacters: trainSymbols.count,
      symbols: units, truncated: truncated,
      differenceBits: [0] + zip(lstm, gram).map { ($0 - $1) / ln2 },
      lstmBitsPerChar: lstm.reduce(0, +) / n / ln2, ngramBitsPerChar: gram.reduce(0, +) / n / ln2,
      closers: (curve?.bins ?? []).map { bin in
        MemoryReport.CloserBin(
          distanceLow: bin.distances.lowerBound,
          distanceHigh: bin.distances.upperBound == Int.max ? nil : bin.distances.upperBound - 1,
          count: bin.count, lstmMeanBits: bin.meanLossA.map { $0 / ln2 },
          ngramMeanBits: bin.meanLossB.map { $0 / ln2 })
      },
      unmatchedClosers: curve?.unmatchedClosers ?? 0, errorThreshold: settings.errorThreshold,
      errorClasses: ErrorClass.allCases.map { kind in
        // Taxonomy positions index the text without its first character: shift by one.
        MemoryReport.ErrorClassCount(
          id: kind.rawValue, count: breakdown?.counts[kind] ?? 0,
          examples: (breakdown?.examples[kind] ?? []).map { $0 + 1 })
      },
      ngramErrorsByOrder: breakdown?.ngramCountsByOrder ?? [])
  }

  /// The comparison a report job asks for, on the text it analyses (its held-out split
  /// with `heldOut`, cut to its `maxChars`); nil when the job has no training text. With
  /// `--held-out` and no `--ngram-train`, the analysed text is the model's training text.
  func report(_ checkpoint: Checkpoint, text: String, job: ReportJob, progress: ProgressSink) throws
    -> MemoryReport?
  {
    var training = job.memoryTraining
    if training == nil && job.analysis.heldOut { training = .modelTrainingText(text) }
    guard let training else { return nil }
    var comparison = self
    if job.analysis.maxChars > 0 { comparison.maxCharacters = min(maxCharacters, job.analysis.maxChars) }
    let analysed = job.analysis.heldOut ? try HeldOut.text(text, checkpoint: checkpoint) : text
    progress.event(.note("comparing with a Kneser-Ney n-gram model of order \(order)"))
    let start = Date()
    let result = try comparison.run(checkpoint, analysed: analysed, training: training)
    progress.event(
      .note(
        String(
          format: "n-gram comparison: %d characters, LSTM %.3f vs n-gram %.3f bits/char (%.1f s)",
          result.symbols.count, result.lstmBitsPerChar, result.ngramBitsPerChar,
          Date().timeIntervalSince(start))))
    return result
  }

  private func encode(_ units: [UInt32], _ vocabulary: Vocabulary) throws -> [Int32] {
    var out: [Int32] = []
    out.reserveCapacity(units.count)
    for (i, u) in units.enumerated() {
      guard let index = vocabulary.index(of: u) else {
        throw CellscopeError.characterNotInVocabulary(vocabulary.describe(u), position: i)
      }
      out.append(index)
    }
    return out
  }
}
