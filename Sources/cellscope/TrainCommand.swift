import ArgumentParser
import CharLSTM
import Foundation

/// The training options shared by `train`, `run` and `demo`, with char-rnn's
/// defaults taken from `TrainingOptions()` (declared once there).
struct TrainingFlags: ParsableArguments {
  static let d = TrainingOptions()
  @Option(help: "Cells per layer (H).") var rnnSize = d.rnnSize
  @Option(help: "Stacked LSTM layers (L).") var numLayers = d.numLayers
  @Option(help: "Embedding size; 0 feeds one-hot characters as char-rnn.") var embeddingSize = d.embeddingSize
  @Option(help: "Dropout between layers.") var dropout = d.dropout
  @Option(help: "Characters per truncated-BPTT sequence (T).") var seqLength = d.seqLength
  @Option(help: "Streams trained side by side (B).") var batchSize = d.batchSize
  @Option(help: "Learning rate.") var learningRate = d.learningRate
  @Option(help: "rmsprop or adam.") var optimizer: String = d.optimizer.rawValue
  @Option(help: "RMSProp's decay of the squared-gradient average.") var decayRate = d.decayRate
  @Option(help: "Learning-rate factor per epoch after --lr-decay-after.") var lrDecay = d.lrDecay
  @Option(help: "Epochs before the learning rate starts to decay.") var lrDecayAfter = d.lrDecayAfter
  @Option(help: "Clip each gradient element to [-c, c]; 0 disables.") var gradClip = d.gradClip
  @Option(help: "Stop after this many epochs.") var maxEpochs = d.maxEpochs
  @Option(help: "Stop after this many steps.") var maxSteps: Int?
  @Option(help: "Stop after this many seconds (then validate and save).") var maxTime: Double?
  @Option(help: "Fraction of batches used for training.") var trainFrac = d.trainFrac
  @Option(help: "Fraction of batches used for validation; the rest is the test split.") var valFrac = d
    .valFrac
  @Option(help: "Validate (and save) every N steps.") var evalEvery = d.evalEvery
  @Option(help: "Also save every N steps.") var checkpointEvery: Int?
  @Option(help: "Random seed for weights, dropout and samples.") var seed = d.seed
  @Option(help: "Initialise uniformly in ±x (char-rnn); 0 uses PyTorch's initialisation.") var initUniform =
    d.initUniform ?? 0
  @Option(help: "Added to the forget-gate bias at initialisation (char-rnn: 1).") var forgetBias = d
    .forgetBias
  @Flag(help: "Byte-level vocabulary instead of Unicode characters.") var bytes = false
  @Option(help: "Threads (0: all cores); from 2, the two halves of each batch train side by side. The checkpoint does not depend on it.") var threads = 0

  func validate() throws {
    guard Optimizer.Kind(rawValue: optimizer) != nil else {
      throw ValidationError("--optimizer must be rmsprop or adam.")
    }
    guard rnnSize >= 1, numLayers >= 1, seqLength >= 1, batchSize >= 1 else {
      throw ValidationError("--rnn-size, --num-layers, --seq-length and --batch-size must be at least 1.")
    }
    guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive.") }
    guard dropout >= 0 && dropout < 1 else { throw ValidationError("--dropout must be in [0, 1).") }
    guard evalEvery >= 1 else { throw ValidationError("--eval-every must be at least 1.") }
    guard trainFrac > 0, valFrac >= 0, trainFrac + valFrac <= 1 else {
      throw ValidationError("--train-frac must be > 0, --val-frac >= 0, and together at most 1.")
    }
  }

  var options: TrainingOptions {
    var o = TrainingOptions()
    o.rnnSize = rnnSize
    o.numLayers = numLayers
    o.embeddingSize = embeddingSize
    o.dropout = dropout
    o.seqLength = seqLength
    o.batchSize = batchSize
    o.learningRate = learningRate
    o.optimizer = Optimizer.Kind(rawValue: optimizer) ?? .rmsprop
    o.decayRate = decayRate
    o.lrDecay = lrDecay
    o.lrDecayAfter = lrDecayAfter
    o.gradClip = gradClip
    o.maxEpochs = maxEpochs
    o.maxSteps = maxSteps
    o.maxTime = maxTime
    o.trainFrac = trainFrac
    o.valFrac = valFrac
    o.evalEvery = evalEvery
    o.checkpointEvery = checkpointEvery
    o.seed = seed
    o.initUniform = initUniform > 0 ? initUniform : nil
    o.forgetBias = forgetBias
    o.bytes = bytes
    return o
  }
}

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "Train a char-LSTM on a text file (char-rnn's options and defaults).")

  @Argument(help: "UTF-8 text file to train on.") var text: String
  @Option(help: "Checkpoint file to write (the best by validation loss goes beside it).") var out =
    "model.safetensors"
  @Option(help: "Continue training from this checkpoint, exactly where it stopped.") var resume: String?
  @OptionGroup var training: TrainingFlags

  func run() throws {
    try runReportingErrors {
      _ = try trainModel(textPath: text, out: out, flags: training, resume: resume)
    }
  }
}

/// Trains with live progress; shared by `train`, `run` and `demo`.
func trainModel(
  textPath: String, out: String, flags: TrainingFlags, resume: String?, textOverride: String? = nil
)
  throws -> TrainingRecord
{
  setMatrixThreads(flags.threads)
  let text = try textOverride ?? readText(path: textPath, bytes: flags.bytes)
  let previous = try resume.map { try Checkpoint.load(path: $0) }
  let name = URL(fileURLWithPath: textPath).lastPathComponent
  let trainer = try Trainer(text: text, textName: name, options: flags.options, resume: previous)
  try ensureWritable(out)
  installInterruptHandler()
  let progress = ProgressPrinter()
  let final = try trainer.run(
    outPath: out, shouldStop: { interruptRequested != 0 }, progress: progress.handle)
  if interruptRequested != 0 {
    log(
      "interrupted: saved the model at step \(final.training?.step ?? 0) to \(out); continue with --resume \(out)."
    )
  }
  log(summaryLine(final.training!))
  return final.training!
}

/// Fails early, with one sentence, if the checkpoint's folder cannot be written.
func ensureWritable(_ path: String) throws {
  let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
  var isDir: ObjCBool = false
  guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
    throw CellscopeError.unwritableOutput(path, reason: "its folder \(dir) does not exist")
  }
  guard FileManager.default.isWritableFile(atPath: dir) else {
    throw CellscopeError.unwritableOutput(path, reason: "its folder is not writable")
  }
}

func summaryLine(_ r: TrainingRecord) -> String {
  func f(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "n/a" }
  return
    "done: \(r.step) steps (\(String(format: "%.2f", r.epoch)) epochs); train \(f(r.finalTrainLoss)), best val \(f(r.bestValLoss)), test \(f(r.testLoss)) nats/char"
}
