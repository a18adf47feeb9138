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

  func run() throws {
    let checkpoint = try Checkpoint.load(path: model.model)
    var job = ReportJob()
    job.analysis = analysis.job
    job.analysis.modelName = model.model
    job.site = site.options
    job.out = site.out
    _ = try job.checkOutputs(inputs: [model.model, input.path])  // before reading a long text
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
