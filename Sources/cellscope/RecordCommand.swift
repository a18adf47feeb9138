import ArgumentParser
import CharLSTM
import Foundation
import Interpretability

/// `cellscope record`: the raw activations of one exact stream, for notebooks.
struct RecordCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "record",
    abstract: "Write every cell's state, gates and top-5 predictions per character to a safetensors file.",
    discussion: """
      Tensors c, h, i, f, g, o of shape (T, L, H) (c is the raw cell state, not tanh(c)), text, \
      targets (-1 at the end), loss (nats, NaN at the end), top5_index, top5_prob and vocabulary. \
      Read it with safetensors.numpy.load_file. The text is read as one stream from the first \
      character, without dropout.
      """)

  @Argument(help: "A cellscope checkpoint (.safetensors).") var model: String
  @Option(help: "UTF-8 text file to run through the model.") var text: String
  @Option(help: "Output file (.safetensors); replaced atomically.") var out = "activations.safetensors"
  @Option(help: "Comma-separated subset of c,h,i,f,g,o to write.") var states = "c,h,i,f,g,o"
  @Option(help: "Element type of the states: f32 or f16 (half the size).") var dtype = "f32"
  @Flag(help: "Replace --out even when it is not an earlier activation export.") var force = false

  func validate() throws {
    do {
      _ = try ActivationExportOptions.parseStates(states)
      _ = try ActivationExportOptions.parseDType(dtype)
    } catch let error as CellscopeError {
      throw ValidationError(error.description)
    }
  }

  func run() throws {
    try runReportingErrors {
      var options = ActivationExportOptions()
      options.states = try ActivationExportOptions.parseStates(states)
      options.dtype = try ActivationExportOptions.parseDType(dtype)
      try checkOutput()
      let checkpoint = try Checkpoint.load(path: model)
      let body = try readText(path: text, bytes: checkpoint.vocabulary.kind == .bytes)
      installInterruptHandler()
      let printer = RecordProgress()
      let outcome = try ActivationExporter(checkpoint: checkpoint, options: options).export(
        text: body, to: out, progress: printer.update, shouldStop: { interruptRequested != 0 })
      printer.finish()
      switch outcome {
      case .completed(let characters, let bytes):
        log("recorded \(characters) characters to \(out) (\(bytes) bytes).")
      case .interrupted:
        log("interrupted: nothing written; \(out) is as it was.")
        throw ExitCode(130)
      }
    }
  }

  /// Refuses, before any work, an output that is the model or the text itself, a
  /// folder, or (without --force) an existing file that is not an activation export.
  func checkOutput() throws {
    var target = stat(), other = stat()
    guard stat(out, &target) == 0 else { return }  // a new file
    for input in [model, text] where stat(input, &other) == 0 {
      if other.st_dev == target.st_dev && other.st_ino == target.st_ino {
        throw CellscopeError.unwritableOutput(out, reason: "it is the input \(input) itself")
      }
    }
    if (target.st_mode & S_IFMT) == S_IFDIR {
      throw CellscopeError.unwritableOutput(out, reason: "it is a folder, not a file")
    }
    if !force && !ActivationExporter.isExport(path: out) {
      throw CellscopeError.unwritableOutput(
        out, reason: "it exists and is not an activation export (pass --force to replace it)")
    }
  }
}

/// One live line on a terminal (characters done of total, chars/s, ETA), plain
/// lines every 10% otherwise.
final class RecordProgress {
  let live = isatty(STDERR_FILENO) != 0
  let started = ContinuousClock.now
  var lastPrint = ContinuousClock.now
  var lastDecile = 0

  func update(done: Int, total: Int) {
    let now = ContinuousClock.now
    let elapsed =
      Double((now - started).components.seconds) + Double((now - started).components.attoseconds) * 1e-18
    let rate = elapsed > 0 ? Double(done) / elapsed : 0
    let eta = rate > 0 ? Double(total - done) / rate : .infinity
    let line = String(
      format: "record: %d/%d characters  %.0f chars/s  ETA %@", done, total, rate, formatDuration(eta))
    if live {
      if now - lastPrint > .milliseconds(200) || done == total {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        lastPrint = now
      }
    } else if done * 10 / max(total, 1) > lastDecile {
      lastDecile = done * 10 / max(total, 1)
      log(line)
    }
  }

  func finish() {
    if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}
