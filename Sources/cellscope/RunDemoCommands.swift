import ArgumentParser
import CharLSTM
import DemoCorpus
import Foundation
import Pipeline

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Train on a text, then write the report on its held-out split.")

  @OptionGroup var input: TextInput
  @Option(help: "Checkpoint file to write.") var model = "model.safetensors"
  @OptionGroup var seed: SeedOption
  @OptionGroup var training: TrainingFlags
  @OptionGroup var site: SiteOutput
  @OptionGroup var analysis: AnalysisFlags
  @OptionGroup var ngram: NGramOptions

  func run() throws {
    var train = TrainJob(options: training.options(seed: seed.seed), model: model)
    train.givenOptions = training.givenOptions(seed: seed.seed)
    analysis.precision.apply(to: &train)  // one --precision for the training and the analysis
    train.threads = training.threads
    train.emergence = !training.noEmergence
    var report = ReportJob()
    report.analysis = analysis.job
    report.site = site.options
    report.out = site.out
    // Every output is checked before the text is read and before training.
    try train.checkOutputs(inputs: [input.path])
    _ = try report.checkOutputs(inputs: [input.path, model] + (ngram.ngramTrain.map { [$0] } ?? []))
    try ngram.apply(to: &report, bytes: training.bytes)
    let text = try LoadedText.read(input.path, bytes: training.bytes)  // once, also for "-"
    let outcome = try RunJob(train: train, report: report).run(
      text: text, progress: ProgressPrinter(), shouldStop: installInterruptHandler())
    try finishTraining(outcome.training, model: model)
    if let analysis = outcome.analysis, let summary = outcome.summary {
      printReportSummary(analysis, summary, out: site.out)
    }
  }
}

struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Generate the demo corpus, train a small model for a bounded time, and write the report.")

  @OptionGroup var site: SiteOutput
  @Option(help: "Training time in seconds.") var maxTime: Double = 180
  @Option(help: "Checkpoint file to write.") var model = ".build/demo-model.safetensors"
  @Option(help: "Demo corpus size in characters.") var corpusSize = 300_000
  @OptionGroup var seed: SeedOption
  @Flag(help: "Print the demo corpus to standard output and stop.") var printCorpus = false

  func validate() throws {
    guard maxTime > 0 else { throw ValidationError("--max-time must be positive.") }
    guard corpusSize >= 1 else { throw ValidationError("--corpus-size must be at least 1.") }
  }

  func run() throws {
    let seed = self.seed.seed ?? 1
    if printCorpus {
      print(DemoRecipe.corpus(seed: seed, characters: corpusSize).text, terminator: "")
      return
    }
    var report = ReportJob()
    report.site = site.options
    report.out = site.out
    let outcome = try DemoRecipe.run(
      seed: seed, maxTime: maxTime, corpusCharacters: corpusSize, model: model, site: report,
      progress: ProgressPrinter(), shouldStop: installInterruptHandler())
    try finishTraining(outcome.training, model: model)
    if let analysis = outcome.analysis, let summary = outcome.summary {
      printReportSummary(analysis, summary, out: site.out)
    }
  }
}
