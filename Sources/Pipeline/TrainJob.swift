import CharLSTM
import Foundation
import Interpretability
import Report

/// A text to work on, read once: from a file, standard input ("-"), or memory.
public struct LoadedText: Sendable {
  /// The path given by the user ("-" for standard input); checked against outputs.
  public var path: String
  /// The name recorded in checkpoints and shown on pages: a file name, never a path.
  public var name: String
  public var text: String

  public init(path: String, name: String, text: String) {
    self.path = path
    self.name = name
    self.text = text
  }

  /// Reads `path` ("-": standard input) as UTF-8 text, or as bytes when `bytes`.
  ///
  /// - Throws: the `CellscopeError`s of `readText` (unreadable, empty, binary, invalid UTF-8).
  public static func read(_ path: String, bytes: Bool) throws -> LoadedText {
    LoadedText(path: path, name: displayName(path), text: try readText(path: path, bytes: bytes))
  }

  /// The file name of `path`; "stdin" for "-".
  public static func displayName(_ path: String) -> String {
    path == "-" ? "stdin" : URL(fileURLWithPath: path).lastPathComponent
  }
}

/// Which options a resumed run takes from its checkpoint and which from the
/// command line; names are `TrainingOptions` property names (e.g. "rnnSize").
public struct ResumePlan: Sendable, Equatable {
  public var checkpoint: String
  /// Options whose stored values the run keeps, in declaration order.
  public var fromCheckpoint: [String]
  /// Options taken from the request (the stopping and reporting options).
  public var fromCommandLine: [String]
}

/// What a training job ended with.
public struct TrainOutcome: Sendable {
  public var record: TrainingRecord
  /// Stopped by `ShouldStop`; the checkpoint holds the state where it stopped.
  public var interrupted: Bool
}

/// Trains a model on a text and writes its checkpoints (`model` and `NAME.best.safetensors`).
public struct TrainJob {
  public var options: TrainingOptions
  /// `TrainingOptions` property names the user gave explicitly (for `--resume`).
  public var givenOptions: Set<String> = []
  /// The checkpoint file to write.
  public var model: String
  /// A checkpoint to continue from, or nil.
  public var resume: String?
  /// Matrix-product threads (0: all cores); does not change the checkpoint.
  public var threads = 0
  /// Score the cells against the built-in features at each evaluation and keep
  /// each feature's best cell in the history (see `EmergenceProbe`).
  public var emergence = true

  public init(options: TrainingOptions, model: String) {
    self.options = options
    self.model = model
  }

  /// The options a resumed run takes from the command line (Trainer.init keeps
  /// the checkpoint's values for all the others).
  public static let resumeTakesFromCommandLine = Set(TrainingOptions.chosenOnResume)

  /// Every output check, before any work: the checkpoint and its `.best` sibling
  /// must be writable files that are none of `inputs`.
  ///
  /// - Throws: `CellscopeError.unwritableOutput`.
  public func checkOutputs(inputs: [String]) throws {
    let inputs = inputs + (resume.map { [$0] } ?? [])
    try OutputGuard.checkFile(model, inputs: inputs)
    try OutputGuard.checkFile(Trainer.bestPath(for: model), inputs: inputs)
    let dir = URL(fileURLWithPath: model).deletingLastPathComponent().path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
      throw CellscopeError.unwritableOutput(model, reason: "its folder \(dir) does not exist")
    }
    guard FileManager.default.isWritableFile(atPath: dir) else {
      throw CellscopeError.unwritableOutput(model, reason: "its folder is not writable")
    }
  }

  /// Trains on `text`: checks the outputs, trains until a stopping option or
  /// `shouldStop`, saving along the way.
  ///
  /// - Throws: `CellscopeError` (outputs, text, options, checkpoint, divergence).
  public func run(text: LoadedText, progress: ProgressSink, shouldStop: ShouldStop = { false }) throws
    -> TrainOutcome
  {
    try checkOutputs(inputs: [text.path])
    setMatrixThreads(threads)
    let previous = try resume.map { try Checkpoint.load(path: $0) }
    var requested = options
    if let previous, let stored = previous.training?.options {
      // The checkpoint fixes the shape, split and trajectory; a different explicit value is refused.
      requested = try TrainingOptions.resumed(from: stored, requested: options, given: givenOptions)
      progress.event(.resuming(plan(stored: stored, checkpoint: resume ?? "")))
    }
    let trainer = try Trainer(
      text: text.text, textName: text.name, options: requested, resume: previous, given: givenOptions)
    if emergence { trainer.evaluationProbe = EmergenceProbe().hook }
    var interrupted = false
    let final = try trainer.run(
      outPath: model,
      shouldStop: {
        if shouldStop() { interrupted = true }
        return interrupted
      }, progress: { progress.event(.training($0)) })
    guard let record = final.training else {
      throw CellscopeError.corruptCheckpoint(model, reason: "the trainer returned no training record")
    }
    return TrainOutcome(record: record, interrupted: interrupted)
  }

  /// Where a resumed run's options come from (`TrainingOptions.chosenOnResume`
  /// from the command line, every other one from the checkpoint).
  func plan(stored: TrainingOptions, checkpoint: String) -> ResumePlan {
    let names = Mirror(reflecting: stored).children.compactMap(\.label)
    return ResumePlan(
      checkpoint: checkpoint, fromCheckpoint: names.filter { !Self.resumeTakesFromCommandLine.contains($0) },
      fromCommandLine: names.filter { Self.resumeTakesFromCommandLine.contains($0) })
  }

}
