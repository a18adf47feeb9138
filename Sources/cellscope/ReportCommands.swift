import ArgumentParser
import CharLSTM
import Foundation
import Interpretability
import Report

/// Options for recording and analysing, shared by `analyze`, `report`, `run` and `demo`.
struct AnalysisFlags: ParsableArguments {
  static let d = RecorderOptions()
  @Option(help: "Characters kept whole for the colour-coded pages.") var excerpt = d.excerpt
  @Flag(
    help: "Record one stream from the first character (slower; default: fast batched streams with warm-up).")
  var exact = false
  @Option(help: "Streams run side by side in fast mode.") var streams = d.streams
  @Option(help: "Characters each fast-mode stream reads before recording.") var warmup = d.warmup
  @Option(help: "Analyse at most this many characters of the text (0: all).") var maxChars = 0
  @Flag(help: "The text is the one the model trained on: analyse only its validation and test split.")
  var heldOut = false

  func validate() throws {
    guard excerpt >= 1, streams >= 1, warmup >= 0, maxChars >= 0 else {
      throw ValidationError(
        "--excerpt and --streams must be at least 1; --warmup and --max-chars not negative.")
    }
  }

  var options: RecorderOptions {
    var o = RecorderOptions()
    o.mode = exact ? .exact : .fast
    o.excerpt = excerpt
    o.streams = streams
    o.warmup = warmup
    return o
  }
}

struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze", abstract: "Rank a model's cells on a text; write cells.csv and analysis.json.")

  @Argument(help: "A cellscope checkpoint (.safetensors).") var model: String
  @Option(help: "UTF-8 text to run through the model.") var text: String
  @Option(help: "Folder for cells.csv and analysis.json.") var out = "analysis"
  @Option(help: "Cells listed on the terminal.") var top = 20
  @OptionGroup var analysis: AnalysisFlags

  func run() throws {
    try runReportingErrors {
      let checkpoint = try Checkpoint.load(path: model)
      let result = try analyzeText(checkpoint, path: text, flags: analysis, display: top)
      try createFolder(out)
      try writeAtomically(Array(cellsCSV(result).utf8), to: out + "/cells.csv")
      try writeAtomically(Array(analysisJSON(result).utf8), to: out + "/analysis.json")
      print(cellTable(result, limit: top))
      print(
        String(
          format: "%d characters: %.4f bits/char, top-1 %.1f%%, top-5 %.1f%%; %.1f%% of cells interpretable",
          result.model.characters, result.model.bitsPerChar, 100 * result.model.top1Accuracy,
          100 * result.model.top5Accuracy, 100 * result.interpretableFraction))
      log("wrote \(out)/cells.csv and \(out)/analysis.json")
    }
  }
}

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report", abstract: "Record, analyse and write the static site for a model.")

  @Argument(help: "A cellscope checkpoint (.safetensors).") var model: String
  @Option(help: "UTF-8 text to run through the model (held-out text is best).") var text: String
  @OptionGroup var site: SiteFlags
  @OptionGroup var analysis: AnalysisFlags

  func run() throws {
    try runReportingErrors {
      let checkpoint = try Checkpoint.load(path: model)
      try writeReport(checkpoint, textPath: text, textOverride: nil, site: site, analysis: analysis)
    }
  }
}

struct SiteFlags: ParsableArguments {
  @Option(help: "Output folder for the site.") var out = "site"
  @Option(help: "Cells that get their own page.") var top = SiteOptions().topCells
  @Flag(help: "Give every cell its own page.") var allCells = false
  @Flag(help: "Overwrite a non-empty folder that is not a cellscope site.") var force = false
  @Option(help: "Templates folder (default: $CELLSCOPE_TEMPLATES, next to the executable, or the package's).")
  var templates: String?

  var options: SiteOptions {
    var o = SiteOptions()
    o.topCells = top
    o.allCells = allCells
    o.force = force
    o.templates = templates
    return o
  }
}

/// Reads (or takes) the text, analyses it, samples, and writes the site.
func writeReport(
  _ checkpoint: Checkpoint, textPath: String, textOverride: String?, site: SiteFlags, analysis: AnalysisFlags
)
  throws
{
  var options = site.options
  options.templates = try TemplateLocator.find(explicit: site.templates)
  var text = try textOverride ?? readText(path: textPath, bytes: checkpoint.vocabulary.kind == .bytes)
  if analysis.heldOut && textOverride == nil { text = try heldOutText(checkpoint, text) }
  let result = try analyzeText(
    checkpoint, text: text, name: URL(fileURLWithPath: textPath).lastPathComponent, flags: analysis,
    display: site.allCells ? nil : site.top)
  log("sampling at temperatures 0.2, 0.5, 1.0 and argmax")
  let sampler = Sampler(checkpoint: checkpoint)
  var samples: [TemperatureSample] = []
  for t in [0.2, 0.5, 1.0] {
    samples.append(
      .init(
        label: "temperature \(t)", temperature: t,
        text: try sampler.sample(length: 600, temperature: t, seed: 1)))
  }
  samples.append(
    .init(label: "argmax", temperature: nil, text: try sampler.sample(length: 600, seed: 1, argmax: true)))
  let summary = try SiteWriter.write(
    SiteInput(analysis: result, model: ModelCard(checkpoint), samples: samples), to: site.out,
    options: options)
  print(cellTable(result, limit: 10))
  print(
    "wrote \(site.out)/index.html: \(summary.files) files, \(summary.bytes / 1024) KiB; largest \(summary.largestFile) (\(summary.largestBytes / 1024) KiB)"
  )
}

func analyzeText(_ checkpoint: Checkpoint, path: String, flags: AnalysisFlags, display: Int?) throws
  -> Analysis
{
  var text = try readText(path: path, bytes: checkpoint.vocabulary.kind == .bytes)
  if flags.heldOut { text = try heldOutText(checkpoint, text) }
  return try analyzeText(
    checkpoint, text: text, name: URL(fileURLWithPath: path).lastPathComponent, flags: flags, display: display
  )
}

func analyzeText(
  _ checkpoint: Checkpoint, text full: String, name: String, flags: AnalysisFlags, display: Int?
) throws
  -> Analysis
{
  var text = full
  if flags.maxChars > 0 && text.unicodeScalars.count > flags.maxChars {
    text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(flags.maxChars)))
  }
  let analyzer = Analyzer(checkpoint: checkpoint, options: flags.options)
  let live = isatty(STDERR_FILENO) != 0
  let result = try analyzer.analyze(text: text, textName: name, displayCells: display) { stage, done, total in
    if live { FileHandle.standardError.write(Data("\r\u{1B}[K\(stage) \(done)/\(total)".utf8)) }
  }
  if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  return result
}

func createFolder(_ path: String) throws {
  do {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  } catch {
    throw CellscopeError.unwritableOutput(path, reason: "the folder cannot be created")
  }
}
