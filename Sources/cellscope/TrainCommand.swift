import ArgumentParser
import CharLSTM
import Foundation
import Pipeline

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "Train a char-LSTM on a text file (char-rnn's options and defaults).")

  @OptionGroup var input: TextInput
  @Option(
    name: [.customLong("model"), .customLong("out")],
    help:
      "Checkpoint file to write (the best by validation loss goes beside it); --out is the older spelling.")
  var model = "model.safetensors"
  @Option(help: "Continue training from this checkpoint, exactly where it stopped.") var resume: String?
  @OptionGroup var seed: SeedOption
  @OptionGroup var training: TrainingFlags
  @OptionGroup var precision: PrecisionOption

  func run() throws {
    var job = TrainJob(options: training.options(seed: seed.seed), model: model)
    job.givenOptions = training.givenOptions(seed: seed.seed)
    job.resume = resume
    precision.apply(to: &job)
    job.threads = training.threads
    job.emergence = !training.noEmergence
    try job.checkOutputs(inputs: [input.path])  // before reading a long text or standard input
    let text = try LoadedText.read(input.path, bytes: training.bytes)
    let shouldStop = installInterruptHandler()
    let outcome = try job.run(text: text, progress: ProgressPrinter(), shouldStop: shouldStop)
    try finishTraining(outcome, model: model)
  }
}

/// An interrupted training exits 130 (after saying where the model was saved)
/// so that `train && report` stops there; the summary line came with `.finished`.
func finishTraining(_ outcome: TrainOutcome, model: String) throws {
  if outcome.interrupted {
    throw Interrupted(
      message:
        "interrupted: saved the model at step \(outcome.record.step) to \(model); continue with --resume \(model)."
    )
  }
}

func summaryLine(_ r: TrainingRecord) -> String {
  func f(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "n/a" }
  return
    "done: \(r.step) steps (\(String(format: "%.2f", r.epoch)) epochs); train \(f(r.finalTrainLoss)), best val \(f(r.bestValLoss)), test \(f(r.testLoss)) nats/char"
}
