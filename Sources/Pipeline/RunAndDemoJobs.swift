import CharLSTM
import DemoCorpus
import Foundation
import Interpretability
import Report

/// Trains on a text, then writes the report on its held-out split.
public struct RunJob {
  public var train: TrainJob
  public var report: ReportJob

  public init(train: TrainJob, report: ReportJob) {
    self.train = train
    self.report = report
  }

  /// What a run ended with; `summary` is nil when training was interrupted.
  public struct Outcome: Sendable {
    public var training: TrainOutcome
    public var analysis: Analysis?
    public var summary: SiteSummary?
  }

  /// Checks every output first (the checkpoint, the site folder, the templates),
  /// trains on `text` (read once by the caller), then reports on its held-out split.
  /// An interrupted training skips the report; an interrupted report writes nothing.
  ///
  /// - Throws: `CellscopeError`, `JobInterrupted` (report phase).
  public func run(text: LoadedText, progress: ProgressSink, shouldStop: ShouldStop = { false }) throws
    -> Outcome
  {
    try train.checkOutputs(inputs: [text.path])
    // The model is an output of this run, not an input: a site folder may hold it
    // (`run --model site/m.safetensors --out site`), and the site writer keeps it.
    _ = try report.checkOutputs(inputs: [text.path])
    let trained = try train.run(text: text, progress: progress, shouldStop: shouldStop)
    guard !trained.interrupted else { return Outcome(training: trained) }
    let checkpoint = try Checkpoint.load(path: train.model)
    // The analysis cuts the held-out split itself, so that its features read the whole text
    // (`FeatureSourceMap`): the split is one piece per training stream.
    var report = report
    report.analysis.heldOut = true
    if report.memoryTraining == nil { report.memoryTraining = .modelTrainingText(text.text) }
    let (analysis, summary) = try report.run(
      checkpoint, modelPath: nil, text: text, progress: progress, shouldStop: shouldStop)
    return Outcome(training: trained, analysis: analysis, summary: summary)
  }
}

/// The demo recipe, made here only: corpus, model size, dropout, schedule.
public enum DemoRecipe {
  /// The name the demo corpus is recorded under in the checkpoint and on pages.
  public static let textName = "demo-corpus.txt"

  /// The generated demo corpus (`targetCharacters` characters, about).
  public static func corpus(seed: UInt64, characters: Int) -> LoadedText {
    LoadedText(
      path: "-demo-", name: textName, text: DemoCorpus.generate(seed: seed, targetCharacters: characters))
  }

  /// Training steps of the demo. A step count rather than a time makes the demo
  /// give the same model, and so the same site, on every machine fast enough to
  /// take them within `maxTime` (on 2 cores, about 150 s).
  public static let steps = 3200

  /// 2 x 128 cells, T = 100, B = 32, RMSProp at 3e-3, dropout 0.25,
  /// validation every 200 steps, `steps` steps or at most `maxTime` seconds
  /// (and 50 epochs), whichever ends first.
  public static func trainingOptions(seed: UInt64, maxTime: Double) -> TrainingOptions {
    var o = TrainingOptions()
    o.rnnSize = 128
    o.numLayers = 2
    o.seqLength = 100
    o.batchSize = 32
    o.learningRate = 3e-3
    // Without dropout the 2 x 128 model overfits the 300k-character corpus after
    // about 19 of its 50 epochs (validation 0.78 -> 0.97 nats/char, test 0.93);
    // with 0.25 it keeps improving (best validation 0.73, test 0.71).
    o.dropout = 0.25
    o.evalEvery = 200
    o.maxSteps = steps
    o.maxTime = maxTime
    o.seed = seed
    return o
  }

  /// The demo as one job: the recipe's training into `model`, then the report
  /// on the held-out split into `site.out`; the model's folder is created.
  ///
  /// - Throws: `CellscopeError`, `JobInterrupted`.
  public static func run(
    seed: UInt64, maxTime: Double, corpusCharacters: Int, model: String, site: ReportJob,
    progress: ProgressSink, shouldStop: ShouldStop = { false }
  ) throws -> RunJob.Outcome {
    let folder = URL(fileURLWithPath: model).deletingLastPathComponent().path
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw CellscopeError.unwritableOutput(folder, reason: "the folder cannot be created")
    }
    var train = TrainJob(options: trainingOptions(seed: seed, maxTime: maxTime), model: model)
    train.threads = 2
    return try RunJob(train: train, report: site).run(
      text: corpus(seed: seed, characters: corpusCharacters), progress: progress, shouldStop: shouldStop)
  }
}
