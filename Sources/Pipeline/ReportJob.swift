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
    try cut(text, checkpoint: checkpoint).text
  }

  /// The held-out part of `text` and the ranges of `text`'s tokens it is made of, in order (one per
  /// training stream: the validation and test batches of each); the whole text as one range when the
  /// held-out part has fewer than 2 characters.
  public static func cut(_ text: String, checkpoint: Checkpoint) throws -> (
    text: String, pieces: [Range<Int>]
  ) {
    guard let record = checkpoint.training else {
      throw CellscopeError.invalidOption(
        "the held-out split needs a checkpoint trained by cellscope (it records the split).")
    }
    let dataset = try Dataset(
      indices: try checkpoint.vocabulary.encode(text), batch: record.options.batchSize,
      steps: record.options.seqLength, trainFrac: record.options.trainFrac, valFrac: record.options.valFrac)
    let pieces = dataset.heldOutRanges()
    let count = pieces.reduce(0) { $0 + $1.count }
    if count < 2 { return (checkpoint.vocabulary.decode(dataset.data), [0..<dataset.data.count]) }
    return (checkpoint.vocabulary.decode(dataset.heldOut()), pieces)
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
  /// A features file (`--features`): the user's features, scored after the built-ins.
  public var featuresFile: String?
  /// Run the control: the same recording and scoring on an untrained network of
  /// the model's shape (`--no-control` switches it off).
  public var control = true
  /// The control's seed; nil: the seed the model was trained with (its own
  /// initial weights), or 1 for a model trained elsewhere.
  public var controlSeed: UInt64?
  /// Which cells are mean-ablated (`--ablate`).
  public var ablation = AblationScope.shown
  /// Characters the ablations read (the first ones; 0: all; nil: the budget,
  /// `Ablation.budgetedCharacters`); the control reads at least `Analyzer.controlCharacters`.
  public var ablationCharacters: Int?
  /// How the model is named in messages (its file).
  public var modelName = "the model"

  /// Which cells `--ablate` holds at their mean.
  public enum AblationScope: String, CaseIterable, Sendable {
    /// The cells shown in the report (`--top`).
    case shown
    /// Every cell.
    case all
    /// None.
    case none
  }

  public init() {}

  /// Reads and checks the features file, if any, before any work: a bad file is
  /// one sentence, and nothing is written.
  ///
  /// - Throws: `FeatureFileError`.
  public func loadFeatures() throws -> FeatureFile? {
    try featuresFile.map { try FeatureFile.load(path: $0) }
  }

  /// The built-in and the user's features of `body`, the analysed text cut from `file` (the pieces of
  /// its characters it is made of, then a prefix). When the cut is not the whole file, every feature
  /// is computed on the file and read at the analysed characters' places (`FeatureSourceMap`), so a
  /// held-out piece that starts inside a quotation is inside; labels may then describe either text.
  /// A byte vocabulary's positions are bytes, not characters: its features read the analysed text.
  func features(analysing body: String, cutFrom file: String, pieces: [Range<Int>], vocabulary: Vocabulary)
    throws -> [TextFeature]
  {
    let analysed = Array(body.unicodeScalars), source = Array(file.unicodeScalars)
    let whole = analysed.count == source.count
    guard vocabulary.kind != .bytes, !whole,
      let map = FeatureSourceMap(source: source, pieces: pieces, count: analysed.count)
    else {
      return TextFeatures.all + (try loadFeatures()?.features(for: analysed) ?? [])
    }
    let user = try loadFeatures()?.features(
      for: source, cut: LabelCut(analysed: analysed, positions: map.positions))
    return (TextFeatures.all + (user ?? [])).map { $0.reading(map) }
  }

  /// Analyses `text` with `checkpoint`, reporting `recording` and `windows` passes.
  ///
  /// - Throws: `characterNotInVocabulary`, `textTooShort`, `JobInterrupted`.
  public func run(
    _ checkpoint: Checkpoint, text: LoadedText, progress: ProgressSink, shouldStop: ShouldStop = { false }
  ) throws -> Analysis {
    var body = text.text
    var pieces = [0..<text.text.unicodeScalars.count]
    if heldOut {
      (body, pieces) = try HeldOut.cut(body, checkpoint: checkpoint)
      progress.event(.note("analysing the held-out split: \(body.unicodeScalars.count) characters"))
    }
    body = body.prefix(scalars: maxChars)
    let features = try features(
      analysing: body, cutFrom: text.text, pieces: pieces, vocabulary: checkpoint.vocabulary)
    if shouldStop() { throw JobInterrupted(phase: "analysis") }
    let meter = PassMeter(sink: progress)
    var analyzer = Analyzer(checkpoint: checkpoint, options: recorder, features: features)
    analyzer.modelName = modelName
    var result: Analysis
    do {
      result = try analyzer.analyze(
        text: body, textName: text.name, displayCells: displayCells, progress: meter.report,
        shouldStop: shouldStop)
    } catch is AnalysisInterrupted {
      throw JobInterrupted(phase: "analysis")
    }
    if shouldStop() { throw JobInterrupted(phase: "analysis") }
    if control {
      let seed = controlSeed ?? checkpoint.training?.options.seed ?? 1
      let summary: ControlSummary
      do {
        summary = try analyzer.control(
          text: body, seed: seed,
          maxCharacters: ablationCharacters.map { $0 > 0 ? max($0, Analyzer.controlCharacters) : .max }
            ?? Analyzer.controlCharacters,
          progress: { meter.report("control: " + $0, $1, $2) }, shouldStop: shouldStop)
      } catch is AnalysisInterrupted {
        throw JobInterrupted(phase: "control")
      }
      result.attach(control: summary)
      if shouldStop() { throw JobInterrupted(phase: "control") }
    }
    if ablation != .none {
      let done = try analyzer.ablate(
        &result, text: body, top: ablation == .all ? nil : displayCells, maxCharacters: ablationCharacters,
        shouldStop: shouldStop, progress: { meter.report("ablation", $0, $1) })
      if !done { throw JobInterrupted(phase: "ablation") }
    }
    meter.finish()
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
    try OutputGuard.checkFolder(out, inputs: [modelPath, text.path] + (featuresFile.map { [$0] } ?? []))
    _ = try loadFeatures()
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
    options.inputs =
      inputs + [options.templates ?? ""].filter { !$0.isEmpty } + (analysis.featuresFile.map { [$0] } ?? [])
    try OutputGuard.checkFolder(out, inputs: options.inputs)
    _ = try analysis.loadFeatures()  // a bad features file stops here, before any work
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
