import ArgumentParser
import CharLSTM
import Foundation
import Interpretability
import Pipeline
import Report

struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze", abstract: "Rank a model's cells on a text; write cells.csv and analysis.json.")

  @OptionGroup var model: ModelArgument
  @OptionGroup var input: TextInput
  @Option(help: "Folder for cells.csv and analysis.json.") var out = "analysis"
  @Option(
    help: "The best-ranked cells that are analysed in detail (windows, samples) and listed on the terminal.")
  var top = 20
  @OptionGroup var analysis: AnalysisFlags

  func validate() throws {
    guard top >= 0 else { throw ValidationError("--top must not be negative.") }
  }

  func run() throws {
    let checkpoint = try Checkpoint.load(path: model.model)
    let text = try LoadedText.read(input.path, bytes: checkpoint.vocabulary.kind == .bytes)
    var job = analysis.job
    job.displayCells = top
    job.modelName = model.model
    let result = try job.runWritingExports(
      checkpoint, modelPath: model.model, text: text, out: out, progress: ProgressPrinter(),
      shouldStop: installInterruptHandler())
    print(cellTable(result, limit: top))
    print(
      String(
        format: "%d characters: %.4f bits/char, top-1 %.1f%%, top-5 %.1f%%; %.1f%% of cells interpretable",
        result.model.characters, result.model.bitsPerChar, 100 * result.model.top1Accuracy,
        100 * result.model.top5Accuracy, 100 * result.interpretableFraction))
    log("wrote \(out)/cells.csv and \(out)/analysis.json")
  }
}

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report", abstract: "Record, analyse and write the static site for a model.")

  @OptionGroup var model: ModelArgument
  @OptionGroup var input: TextInput
  @OptionGroup var site: SiteOutput
  @OptionGroup var analysis: AnalysisFlags
  @OptionGroup var ngram: NGramOptions

  func run() throws {
    let checkpoint = try Checkpoint.load(path: model.model)
    var job = ReportJob()
    job.analysis = analysis.job
    job.analysis.modelName = model.model
    job.site = site.options
    job.out = site.out
    _ = try job.checkOutputs(inputs: [model.model, input.path] + (ngram.ngramTrain.map { [$0] } ?? []))
    try ngram.apply(to: &job, bytes: checkpoint.vocabulary.kind == .bytes)
    let text = try LoadedText.read(input.path, bytes: checkpoint.vocabulary.kind == .bytes)
    let (result, summary) = try job.run(
      checkpoint, modelPath: model.model, text: text, progress: ProgressPrinter(),
      shouldStop: installInterruptHandler())
    printReportSummary(result, summary, out: site.out)
  }
}

func printReportSummary(_ result: Analysis, _ summary: SiteSummary, out: String) {
  print(cellTable(result, limit: 10))
  print(
    "wrote \(out)/index.html: \(summary.files) files, \(summary.bytes / 1024) KiB; largest \(summary.largestFile) (\(summary.largestBytes / 1024) KiB)"
  )
}

/// `--ngram-train` and `--ngram-order` of `report` and `run`: the n-gram model that
/// `memory.html` compares the LSTM with.
struct NGramOptions: ParsableArguments {
  @Option(
    help:
      "Train the n-gram model of the memory page on this text (default: the model's training split, when the text is the one it trained on)."
  )
  var ngramTrain: String?
  @Option(help: "Order of the n-gram model of the memory page, 1 to 20.") var ngramOrder = 8

  func validate() throws {
    guard (1...20).contains(ngramOrder) else {
      throw ValidationError("--ngram-order must be between 1 and 20.")
    }
  }

  /// Sets `job`'s comparison; reads the `--ngram-train` file (one clear error if unreadable).
  func apply(to job: inout ReportJob, bytes: Bool) throws {
    job.memory.order = ngramOrder
    if let path = ngramTrain {
      let text = try LoadedText.read(path, bytes: bytes)
      job.memoryTraining = .file(name: text.name, text: text.text)
    }
  }
}
