import ArgumentParser
import CharLSTM
import Foundation
import Interpretability
import Pipeline

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

  @OptionGroup var model: ModelArgument
  @OptionGroup var precision: PrecisionOption
  @OptionGroup var input: TextInput
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
    var job = RecordJob()
    job.options.states = try ActivationExportOptions.parseStates(states)
    job.options.dtype = try ActivationExportOptions.parseDType(dtype)
    job.options.precision = precision.value
    job.out = out
    job.force = force
    try job.checkOutputs(inputs: [model.model, input.path])  // before any work
    let checkpoint = try Checkpoint.load(path: model.model)
    let text = try LoadedText.read(input.path, bytes: checkpoint.vocabulary.kind == .bytes)
    let (characters, bytes) = try job.run(
      checkpoint, modelPath: model.model, text: text, progress: ProgressPrinter(),
      shouldStop: installInterruptHandler())
    log("recorded \(characters) characters to \(out) (\(bytes) bytes).")
  }
}
