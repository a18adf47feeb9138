import CharLSTM
import Foundation

/// Scores every cell against the built-in features on a short text during
/// training: the trainer's `evaluationProbe`, so that the checkpoint's history
/// shows when each feature's cell appeared (issue 14, "emergence").
///
/// It runs the Analyzer's first pass only (recording and statistics; no
/// windows, no control, no ablation), so the scores are exactly those a report
/// on the same text would give: each feature's best cell is the first of
/// `FeatureSummary.bestCells` (highest score, then gain).
public struct EmergenceProbe: Sendable {
  /// The features scored; the built-in ones by default.
  public var features: [TextFeature]
  /// How the text is read. Exact by default: one stream from the first
  /// character, the reference values; the slice is short, so batching buys little.
  public var mode: RecorderOptions.Mode
  /// Streams for the stitched or fast modes.
  public var streams: Int

  public init(
    features: [TextFeature] = TextFeatures.all, mode: RecorderOptions.Mode = .exact, streams: Int = 16
  ) {
    self.features = features
    self.mode = mode
    self.streams = streams
  }

  /// The recorder options the probe reads with: no excerpt or extremes, which it
  /// does not report, and one statistics thread (training has the cores).
  public var recorderOptions: RecorderOptions {
    var o = RecorderOptions()
    o.mode = mode
    o.streams = streams
    o.excerpt = 0
    o.topK = 1
    o.statisticsThreads = 1
    return o
  }

  /// Each feature's best cell on `input.tokens`, in `features` order.
  ///
  /// - Returns: one entry per feature whose score is finite (a feature that never
  ///   varies over the text has none); empty when the text has fewer than 2
  ///   characters, cannot be read back through the vocabulary, or the model's
  ///   values are not finite (training stops on that by itself).
  public func score(_ input: ProbeInput) -> [FeatureEmergence] {
    let text = input.vocabulary.decode(input.tokens)
    // A byte vocabulary may not survive a round trip through String: skip rather than score other text.
    guard input.tokens.count >= 2, (try? input.vocabulary.encode(text)) == input.tokens else { return [] }
    let checkpoint = Checkpoint(
      config: input.network.config, vocabulary: input.vocabulary, parameters: input.network.params.array)
    return score(checkpoint: checkpoint, text: text)
  }

  /// Each feature's best cell when `checkpoint` reads `text` (see `score(_:)`).
  public func score(checkpoint: Checkpoint, text: String) -> [FeatureEmergence] {
    let analyzer = Analyzer(checkpoint: checkpoint, options: recorderOptions, features: features)
    guard let analysis = try? analyzer.analyze(text: text, textName: "validation slice", displayCells: 0)
    else { return [] }
    return Self.best(in: analysis)
  }

  /// Each feature's best cell in an analysis, with its score: only features
  /// that vary over the text (a feature that never switches on scores a
  /// meaningless AUC of 0.5) and finite scores.
  public static func best(in analysis: Analysis) -> [FeatureEmergence] {
    let byID = Dictionary(uniqueKeysWithValues: analysis.cells.map { ($0.id, $0) })
    return analysis.features.enumerated().compactMap { f, summary in
      guard summary.std > 1e-9, let id = summary.bestCells.first, let cell = byID[id], f < cell.scores.count
      else { return nil }
      let s = cell.scores[f]
      guard s.score.isFinite, s.signed.isFinite else { return nil }
      return FeatureEmergence(
        feature: summary.id, kind: summary.kind, score: s.score, signed: s.signed, layer: id.layer,
        state: id.state.rawValue, index: id.index)
    }
  }

  /// The probe as the trainer's hook.
  public var hook: @Sendable (ProbeInput) -> [FeatureEmergence] {
    let probe = self
    return { probe.score($0) }
  }
}
