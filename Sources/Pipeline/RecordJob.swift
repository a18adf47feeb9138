import CharLSTM
import Foundation
import Interpretability
import Report

/// Records a model's raw activations over a text into a safetensors file for
/// notebooks (`cellscope record`): one exact stream from the first character.
public struct RecordJob {
  public var options = ActivationExportOptions()
  /// The file to write; replaced atomically.
  public var out = "activations.safetensors"
  /// Replace `out` even when it is not an earlier activation export.
  public var force = false

  public init() {}

  /// Every output check, before any work: `out` is a file, none of `inputs`, and
  /// (without `force`) new or an earlier export.
  ///
  /// - Throws: `CellscopeError.unwritableOutput`.
  public func checkOutputs(inputs: [String]) throws {
    try OutputGuard.checkFile(out, inputs: inputs)
    if !force && FileManager.default.fileExists(atPath: out) && !ActivationExporter.isExport(path: out) {
      throw CellscopeError.unwritableOutput(
        out, reason: "it exists and is not an activation export (pass --force to replace it)")
    }
  }

  /// Checks the output, records `text` and writes `out`; nothing is written when
  /// `shouldStop` fires.
  ///
  /// - Returns: characters recorded and bytes written.
  /// - Throws: `CellscopeError`, `JobInterrupted`.
  public func run(
    _ checkpoint: Checkpoint, modelPath: String, text: LoadedText, progress: ProgressSink,
    shouldStop: ShouldStop = { false }
  ) throws -> (characters: Int, bytes: Int) {
    try checkOutputs(inputs: [modelPath, text.path])
    let meter = PassMeter(sink: progress)
    let outcome = try ActivationExporter(checkpoint: checkpoint, options: options).export(
      text: text.text, to: out, progress: { meter.report("recording", $0, $1) }, shouldStop: shouldStop)
    meter.finish()
    switch outcome {
    case .completed(let characters, let bytes): return (characters, bytes)
    case .interrupted: throw JobInterrupted(phase: "recording")
    }
  }
}
