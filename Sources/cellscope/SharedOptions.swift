import ArgumentParser
import CharLSTM
import Interpretability
import Pipeline
import Report

/// The checkpoint a command reads: `MODEL`, first positional argument.
struct ModelArgument: ParsableArguments {
  @Argument(help: ArgumentHelp("A cellscope checkpoint (.safetensors).", valueName: "model")) var model:
    String
}

/// The text a command reads. One spelling everywhere: `--text TEXT`; the older
/// positional spelling (`train TEXT`, `score MODEL TEXT`) is kept as an alias.
/// "-" reads standard input.
struct TextInput: ParsableArguments {
  @Option(
    name: .customLong("text"),
    help: ArgumentHelp("UTF-8 text file; - reads standard input.", valueName: "text"))
  var option: String?
  @Argument(help: ArgumentHelp("Same as --text (the older spelling).", valueName: "text"))
  var positional: String?

  func validate() throws {
    switch (option, positional) {
    case (nil, nil): throw ValidationError("give the text with --text TEXT (or - for standard input).")
    case (.some(let a), .some(let b)) where a != b:
      throw ValidationError("give the text once: --text \(a) and \(b) disagree.")
    default: break
    }
  }

  var path: String { option ?? positional ?? "-" }
}

/// The site a command writes: `--out` folder and how much goes in it; shared
/// by `report`, `run` and `demo`.
struct SiteOutput: ParsableArguments {
  @Option(help: "Output folder for the site.") var out = "site"
  @Option(
    help: "The best-ranked cells that are analysed in detail (windows, samples) and get their own page.")
  var top = SiteOptions().topCells
  @Flag(help: "Analyse every cell in detail and give each its own page.") var allCells = false
  @Flag(help: "Overwrite a non-empty folder that is not a cellscope site.") var force = false
  @Option(help: "Templates folder (default: $CELLSCOPE_TEMPLATES, next to the executable, or the package's).")
  var templates: String?

  func validate() throws {
    guard top >= 0 else { throw ValidationError("--top must not be negative.") }
  }

  var options: SiteOptions {
    var o = SiteOptions()
    o.topCells = top
    o.allCells = allCells
    o.force = force
    o.templates = templates
    return o
  }
}

/// `--seed`, shared by `train`, `run`, `sample` and `demo`; nil when not given,
/// so that each command applies its own default (and `--resume` knows it was given).
struct SeedOption: ParsableArguments {
  @Option(
    help:
      "Random seed; the same seed gives the same bytes (default: 123 for train and run, 1 for sample and demo)."
  )
  var seed: UInt64?
}

/// Options for recording and analysing, shared by `analyze`, `report`, `run` and `demo`.
struct AnalysisFlags: ParsableArguments {
  static let d = RecorderOptions()
  @Option(help: "Characters kept whole for the colour-coded pages.") var excerpt = d.excerpt
  @Flag(
    help:
      "Record one stream from the first character, one character at a time, the statistics on the other core (the default)."
  )
  var exact = false
  @Flag(
    help:
      "Record batched streams, each started from the exact state the one before it ends with (the same values to a stated tolerance)."
  )
  var stitched = false
  @Flag(
    help:
      "Approximate recording: each batched stream starts from --warmup characters read from zero instead of the exact state (the old default; a cell that remembers further back is wrong at stream starts)."
  )
  var fast = false
  @Option(help: "Streams run side by side (stitched and fast modes).") var streams = d.streams
  @Option(
    help:
      "Characters each fast-mode stream reads before recording; stitched mode uses them to start its reference run."
  )
  var warmup = d.warmup
  @Option(help: "Analyse at most this many characters of the text (0: all).") var maxChars = 0
  @Flag(help: "The text is the one the model trained on: analyse only its validation and test split.")
  var heldOut = false
  @Option(help: "A YAML or JSON file of your own features (see the README: span, regex, distance, labels).")
  var features: String?
  @Option(help: "Cells held at their mean to measure what the model loses without them: shown, all or none.")
  var ablate: AnalyzeJob.AblationScope = .shown
  @Option(
    help: ArgumentHelp(
      "Characters of the text the ablations read (the first ones; 0: all; default: (cells + 1) x characters "
        + "<= the text's length, within 10,000 and 50,000). The control reads at least 100,000."))
  var ablationChars: Int?
  @Flag(help: "Skip the control (the same scoring on an untrained network of the model's shape).")
  var noControl = false
  @Option(help: "Seed of the control's untrained weights (default: the model's own training seed, or 1).")
  var controlSeed: UInt64?
  @OptionGroup var precision: PrecisionOption

  func validate() throws {
    guard excerpt >= 1 else { throw ValidationError("--excerpt must be at least 1.") }
    guard streams >= 1 else { throw ValidationError("--streams must be at least 1.") }
    guard warmup >= 0 else { throw ValidationError("--warmup must not be negative.") }
    guard maxChars >= 0 else { throw ValidationError("--max-chars must not be negative.") }
    guard (ablationChars ?? 0) >= 0 else { throw ValidationError("--ablation-chars must not be negative.") }
    guard [exact, stitched, fast].filter({ $0 }).count <= 1 else {
      throw ValidationError("--exact, --stitched and --fast exclude each other; give one.")
    }
  }

  /// The analysis job these flags describe (`displayCells` is the caller's).
  var job: AnalyzeJob {
    var j = AnalyzeJob()
    j.recorder.mode = exact ? .exact : stitched ? .stitched : fast ? .fast : RecorderOptions().mode
    j.recorder.precision = precision.value
    j.recorder.excerpt = excerpt
    j.recorder.streams = streams
    j.recorder.warmup = warmup
    j.maxChars = maxChars
    j.heldOut = heldOut
    j.featuresFile = features
    j.ablation = ablate
    j.ablationCharacters = ablationChars
    j.control = !noControl
    j.controlSeed = controlSeed
    return j
  }
}

extension AnalyzeJob.AblationScope: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}

/// `--precision fp32|bf16`: the matrix products' precision (issue 15). Defaults
/// decided by measurement (README, "Precision"): bf16 for training where the CPU
/// has AVX512-BF16, fp32 for reading a model (analysis, recording, scoring).
struct PrecisionOption: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Matrix products in fp32, or bf16 with fp32 sums (needs AVX512-BF16). Default: bf16 for training where the CPU has AVX512-BF16, else fp32; fp32 for analysis, recording and scoring.",
      valueName: "precision"))
  var precision: Precision?

  func validate() throws {
    if precision == .bf16 && !Precision.bf16Supported {
      throw ValidationError("--precision bf16 needs a CPU with AVX512-BF16, which this one does not have.")
    }
  }

  /// For reading a model: fp32 unless asked.
  var value: Precision { precision ?? .fp32 }

  /// For training: bf16 unless asked, where the CPU runs it.
  var trainingValue: Precision { precision ?? (Precision.bf16Supported ? .bf16 : .fp32) }

  /// Sets a training job's precision (recorded in the checkpoint when bf16). Given on the command
  /// line, it must match a resumed checkpoint's; not given, a resumed run keeps the checkpoint's.
  func apply(to job: inout TrainJob) {
    job.options.precision = trainingValue == .bf16 ? .bf16 : nil
    if precision != nil { job.givenOptions.insert("precision") }
    if precision == nil && job.resume == nil && trainingValue == .bf16 {
      log("matrix products in bf16 with fp32 sums (this CPU has AVX512-BF16; --precision fp32 for fp32)")
    }
  }
}
