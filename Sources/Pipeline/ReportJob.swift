import CharLSTM
import Foundation
import Interpretability
import Report

/// The held-out choice, made here only: the validation and test batches of every
/// stream of the text a model trained on, in stream order (see `Dataset.heldOut`).
public enum HeldOut {
  /// The held-out part of `text` under `checkpoint`'s recorded split; the whole
  /// text when that part has fewer than 2 characters.
  ///
  /// - Throws: `CellscopeError.invalidOption` when the checkpoint records no
  ///   training (no split), `characterNotInVocabulary`, `textTooShort`.
  public static func text(_ text: String, checkpoint: Checkpoint) throws -> String {
    guard let record = checkpoint.training else {
      throw CellscopeError.invalidOption(
        "the held-out split needs a checkpoint trained by cellscope (it records the split).")
    }
    let dataset = try Dataset(
      indices: try checkpoint.vocabulary.encode(text), batch: record.options.batchSize,
      steps: record.options.seqLength, trainFrac: record.options.trainFrac, valFrac: record.options.valFrac)
    var heldOut = dataset.heldOut()
    if heldOut.count < 2 { heldOut = dataset.data }
    return checkpoint.vocabulary.decode(heldOut)
  }
}

/// The sampling recipe of every report, made here only: 600 characters at
/// temperatures 0.2, 0.5 and 1.0, and argmax, all from seed 1.
public enum SamplingRecipe {
  public static let temperatures = [0.2, 0.5, 1.0]
  public static let length = 600
  public static let seed: UInt64 = 1

  /// One sample per temperature, then the argmax sample, in that order.
  public static func samples(_ checkpoint: Checkpoint) throws -> [TemperatureSample] {
    let sampler = Sampler(checkpoint: checkpoint)
    var samples: [TemperatureSample] = []
    for t in temperatures {
      samples.append(
        .init(
          label: "temperature \(t)", temperature: t,
          text: try sampler.sample(length: length, temperature: t, seed: seed)))
    }
    samples.append(
      .init(
        label: "argmax", temperature: nil, text: try sampler.sample(length: length, seed: seed, argmax: true))
    )
    return samples
  }
}

/// Analyses a model on a text: records every cell, scores and ranks them.
public struct AnalyzeJob {
  public var recorder = RecorderOptions()
  /// Analyse at most this many characters (0: all).
  public var maxChars = 0
  /// The text is the one the model trained on: analyse only its held-out split.
  public var heldOut = false
  /// Cells (best first) that get windows and band samples; nil: every cell.
  public var displayCells: Int? = 20

  public init() {}

  /// Analyses `text` with `checkpoint`, reporting `recording` and `windows` passes.
  ///
  /// - Throws: `characterNotInVocabulary`, `textTooShort`, `JobInterrupted`.
  public func run(
    _ checkpoint: Checkpoint, text: LoadedText, progress: ProgressSink, shouldStop: ShouldStop = { false }
  ) throws -> Analysis {
    var body = text.text
    if heldOut {
      body = try HeldOut.text(body, checkpoint: checkpoint)
      progress.event(.note("analysing the held-out split: \(body.unicodeScalars.count) characters"))
    }
    if maxChars > 0 && body.unicodeScalars.count > maxChars {
      body = String(String.UnicodeScalarView(body.unicodeScalars.prefix(maxChars)))
    }
    if shouldStop() { throw JobInterrupted(phase: "analysis") }
    let meter = PassMeter(sink: progress)
    let result = try Analyzer(checkpoint: checkpoint, options: recorder).analyze(
      text: body, textName: text.name, displayCells: displayCells, progress: meter.report)
    meter.finish()
    // The analyser runs its passes to the end; the stop is honoured right after.
    if shouldStop() { throw JobInterrupted(phase: "analysis") }
    return result
  }
}

extension AnalyzeJob {
  /// Checks `out` before any work, analyses `text`, then writes `cells.csv` and
  /// `analysis.json` into `out` (created if missing); nothing is written when
  /// `shouldStop` fires.
  ///
  /// - Parameter modelPath: the checkpoint's file, checked against `out`.
  /// - Throws: `CellscopeError`, `JobInterrupted`.
  public func runWritingExports(
    _ checkpoint: Checkpoint, modelPath: String, text: LoadedText, out: String, progress: ProgressSink,
    shouldStop: ShouldStop = { false }
  ) throws -> Analysis {
    try OutputGuard.checkFolder(out, inputs: [modelPath, text.path])
    let result = try run(checkpoint, text: text, progress: progress, shouldStop: shouldStop)
    do {
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
      throw CellscopeError.unwritableOutput(out, reason: "the folder cannot be created")
    }
    try writeAtomically(Array(cellsCSV(result).utf8), to: out + "/cells.csv")
    try writeAtomically(Array(analysisJSON(result).utf8), to: out + "/analysis.json")
    return result
  }
}

/// Analyses a model on a text, samples it, and writes the static site.
public struct ReportJob {
  public var analysis = AnalyzeJob()
  public var site = SiteOptions()
  /// The site folder.
  public var out = "site"
  /// The n-gram comparison for `memory.html`, and its training text (nil: no comparison).
  public var memory = MemoryComparison()
  public var memoryTraining: MemoryComparison.TrainingText?

  public init() {}

  /// Every output check, before any work: templates found, `out` a folder that
  /// holds none of `inputs`. Returns the options with the templates folder found.
  ///
  /// - Throws: `CellscopeError.unwritableOutput` or the template locator's errors.
  public func checkOutputs(inputs: [String]) throws -> SiteOptions {
    var options = site
    options.templates = try TemplateLocator.find(explicit: site.templates)
    try OutputGuard.checkFolder(out, inputs: inputs + [options.templates ?? ""].filter { !$0.isEmpty })
    return options
  }

  /// Checks the outputs, analyses `text`, samples, and writes the site to `out`;
  /// nothing is written when `shouldStop` fires in any phase.
  ///
  /// - Parameter modelPath: the checkpoint's file, checked against `out`; nil when
  ///   the model is not on disk.
  /// - Throws: `CellscopeError`, `JobInterrupted`.
  public func run(
    _ checkpoint: Checkpoint, modelPath: String?, text: LoadedText, progress: ProgressSink,
    shouldStop: ShouldStop = { false }
  ) throws -> (Analysis, SiteSummary) {
    let options = try checkOutputs(inputs: [text.path] + (modelPath.map { [$0] } ?? []))
    let memoryReport = try memory.report(checkpoint, text: text.text, job: self, progress: progress)
    var analysis = analysis
    analysis.displayCells = site.allCells ? nil : site.topCells
    let result = try analysis.run(checkpoint, text: text, progress: progress, shouldStop: shouldStop)
    progress.event(
      .note(
        "sampling at temperatures "
          + SamplingRecipe.temperatures.map { "\($0)" }.joined(separator: ", ") + " and argmax"))
    let samples = try SamplingRecipe.samples(checkpoint)
    if shouldStop() { throw JobInterrupted(phase: "sampling") }
    let summary = try SiteWriter.write(
      SiteInput(analysis: result, model: ModelCard(checkpoint), samples: samples, memory: memoryReport),
      to: out, options: options)
    return (result, summary)
  }
}
