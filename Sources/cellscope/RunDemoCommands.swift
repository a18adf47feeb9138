import ArgumentParser
import CharLSTM
import DemoCorpus
import Foundation
import Interpretability
import Report

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Train on a text, then write the report on its held-out split.")

  @Argument(help: "UTF-8 text file to train on.") var text: String
  @Option(help: "Checkpoint file to write.") var model = "model.safetensors"
  @OptionGroup var training: TrainingFlags
  @OptionGroup var site: SiteFlags
  @OptionGroup var analysis: AnalysisFlags

  func run() throws {
    try runReportingErrors {
      _ = try TemplateLocator.find(explicit: site.templates)  // fail before training, not after
      _ = try trainModel(textPath: text, out: model, flags: training, resume: nil)
      try reportOnHeldOut(modelPath: model, textPath: text, textOverride: nil, site: site, analysis: analysis)
    }
  }
}

struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Generate the demo corpus, train a small model for a bounded time, and write the report.")

  @Option(help: "Output folder for the site.") var out = "site"
  @Option(help: "Training time in seconds.") var maxTime: Double = 180
  @Option(help: "Checkpoint file to write.") var model = ".build/demo-model.safetensors"
  @Option(help: "Demo corpus size in characters.") var corpusSize = 300_000
  @Option(help: "Seed of the corpus and of training.") var seed: UInt64 = 1
  @Flag(help: "Print the demo corpus to standard output and stop.") var printCorpus = false
  @Flag(help: "Overwrite a non-empty folder that is not a cellscope site.") var force = false
  @Option(help: "Templates folder.") var templates: String?

  func run() throws {
    let corpus = DemoCorpus.generate(seed: seed, targetCharacters: corpusSize)
    if printCorpus {
      print(corpus, terminator: "")
      return
    }
    try runReportingErrors {
      _ = try TemplateLocator.find(explicit: templates)
      let folder = URL(fileURLWithPath: model).deletingLastPathComponent().path
      try createFolder(folder)
      var flags = try TrainingFlags.parse([])
      flags.rnnSize = 128
      flags.numLayers = 2
      flags.seqLength = 100
      flags.batchSize = 32
      flags.learningRate = 3e-3
      // Without dropout the 2 x 128 model overfits the 300k-character corpus after
      // about 19 of its 50 epochs (validation 0.78 -> 0.97 nats/char, test 0.93);
      // with 0.25 it keeps improving (best validation 0.73, test 0.71).
      flags.dropout = 0.25
      flags.evalEvery = 200
      flags.maxTime = maxTime
      flags.seed = seed
      flags.threads = 2
      _ = try trainModel(
        textPath: "demo-corpus.txt", out: model, flags: flags, resume: nil, textOverride: corpus)
      var site = try SiteFlags.parse([])
      site.out = out
      site.force = force
      site.templates = templates
      try reportOnHeldOut(
        modelPath: model, textPath: "demo-corpus.txt", textOverride: corpus, site: site,
        analysis: try AnalysisFlags.parse([]))
    }
  }
}

/// Reports on the validation and test batches of the text the model trained on.
func reportOnHeldOut(
  modelPath: String, textPath: String, textOverride: String?, site: SiteFlags, analysis: AnalysisFlags
)
  throws
{
  let checkpoint = try Checkpoint.load(path: modelPath)
  let text = try textOverride ?? readText(path: textPath, bytes: checkpoint.vocabulary.kind == .bytes)
  let held = try heldOutText(checkpoint, text)
  try writeReport(checkpoint, textPath: textPath, textOverride: held, site: site, analysis: analysis)
}

/// The validation and test batches of every stream of the text a model trained
/// on, in stream order (see `Dataset.heldOut`).
func heldOutText(_ checkpoint: Checkpoint, _ text: String) throws -> String {
  guard let record = checkpoint.training else {
    throw CellscopeError.invalidOption(
      "--held-out needs a checkpoint trained by cellscope (it records the split).")
  }
  let dataset = try Dataset(
    indices: try checkpoint.vocabulary.encode(text), batch: record.options.batchSize,
    steps: record.options.seqLength,
    trainFrac: record.options.trainFrac, valFrac: record.options.valFrac)
  var heldOut = dataset.heldOut()
  if heldOut.count < 2 { heldOut = dataset.data }
  log("analysing the held-out split: \(heldOut.count) characters")
  return checkpoint.vocabulary.decode(heldOut)
}
