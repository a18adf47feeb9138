import ArgumentParser
import CharLSTM

/// The optimizers `--optimizer` accepts.
enum OptimizerChoice: String, CaseIterable, ExpressibleByArgument {
  case rmsprop, adam

  var kind: Optimizer.Kind {
    switch self {
    case .rmsprop: .rmsprop
    case .adam: .adam
    }
  }
}

/// Help text that shows the default even though the option is optional (so that
/// the command knows which options the user gave, for `--resume`).
private func withDefault(_ text: String, _ value: Any) -> ArgumentHelp {
  ArgumentHelp("\(text) (default: \(value))")
}

/// The training options shared by `train` and `run`, with char-rnn's defaults
/// taken from `TrainingOptions()` (declared once there). Every option is nil
/// unless given, so `givenOptions` can tell a resumed run what the user asked for.
struct TrainingFlags: ParsableArguments {
  static let d = TrainingOptions()
  @Option(help: withDefault("Cells per layer (H).", d.rnnSize)) var rnnSize: Int?
  @Option(help: withDefault("Stacked LSTM layers (L).", d.numLayers)) var numLayers: Int?
  @Option(help: withDefault("Embedding size; 0 feeds one-hot characters as char-rnn.", d.embeddingSize))
  var embeddingSize: Int?
  @Option(help: withDefault("Dropout between layers.", d.dropout)) var dropout: Double?
  @Option(help: withDefault("Characters per truncated-BPTT sequence (T).", d.seqLength)) var seqLength: Int?
  @Option(help: withDefault("Streams trained side by side (B).", d.batchSize)) var batchSize: Int?
  @Option(help: withDefault("Learning rate.", d.learningRate)) var learningRate: Double?
  @Option(help: withDefault("The optimizer.", d.optimizer.rawValue)) var optimizer: OptimizerChoice?
  @Option(help: withDefault("RMSProp's decay of the squared-gradient average.", d.decayRate))
  var decayRate: Double?
  @Option(help: withDefault("Learning-rate factor per epoch after --lr-decay-after.", d.lrDecay))
  var lrDecay: Double?
  @Option(help: withDefault("Epochs before the learning rate starts to decay.", d.lrDecayAfter))
  var lrDecayAfter: Int?
  @Option(help: withDefault("Clip each gradient element to [-c, c]; 0 disables.", d.gradClip))
  var gradClip: Double?
  @Option(help: withDefault("Stop after this many epochs.", d.maxEpochs)) var maxEpochs: Double?
  @Option(help: "Stop after this many steps.") var maxSteps: Int?
  @Option(help: "Stop after this many seconds (then validate and save).") var maxTime: Double?
  @Option(help: withDefault("Fraction of batches used for training.", d.trainFrac)) var trainFrac: Double?
  @Option(
    help: withDefault("Fraction of batches used for validation; the rest is the test split.", d.valFrac))
  var valFrac: Double?
  @Option(help: withDefault("Validate (and save) every N steps.", d.evalEvery)) var evalEvery: Int?
  @Option(help: "Also save every N steps.") var checkpointEvery: Int?
  @Option(help: withDefault("Initialise uniformly in ±x (char-rnn); 0 uses PyTorch's initialisation.", 0.08))
  var initUniform: Double?
  @Option(help: withDefault("Added to the forget-gate bias at initialisation (char-rnn: 1).", d.forgetBias))
  var forgetBias: Double?
  @Flag(help: "Byte-level vocabulary instead of Unicode characters.") var bytes = false
  @Flag(help: "Do not score the cells against the features at each evaluation (the emergence plot).")
  var noEmergence = false
  @Option(
    help:
      "Threads (0: all cores); from 2, the two halves of each batch train side by side. The checkpoint does not depend on it."
  ) var threads = 0

  func validate() throws {
    if let v = rnnSize, v < 1 { throw ValidationError("--rnn-size must be at least 1.") }
    if let v = numLayers, v < 1 { throw ValidationError("--num-layers must be at least 1.") }
    if let v = seqLength, v < 1 { throw ValidationError("--seq-length must be at least 1.") }
    if let v = batchSize, v < 1 { throw ValidationError("--batch-size must be at least 1.") }
    if let v = embeddingSize, v < 0 { throw ValidationError("--embedding-size must not be negative.") }
    if let v = learningRate, !(v > 0) { throw ValidationError("--learning-rate must be positive.") }
    if let v = dropout, !(v >= 0 && v < 1) { throw ValidationError("--dropout must be in [0, 1).") }
    if let v = evalEvery, v < 1 { throw ValidationError("--eval-every must be at least 1.") }
    if let v = maxSteps, v < 0 { throw ValidationError("--max-steps must not be negative.") }
    if let v = maxTime, !(v >= 0) { throw ValidationError("--max-time must not be negative.") }
    if let v = checkpointEvery, v < 1 { throw ValidationError("--checkpoint-every must be at least 1.") }
    let train = trainFrac ?? Self.d.trainFrac, val = valFrac ?? Self.d.valFrac
    guard train > 0, val >= 0, train + val <= 1 else {
      throw ValidationError("--train-frac must be > 0, --val-frac >= 0, and together at most 1.")
    }
  }

  /// The options with `seed` (from the shared seed option) filled in.
  func options(seed: UInt64?) -> TrainingOptions {
    var o = Self.d
    if let rnnSize { o.rnnSize = rnnSize }
    if let numLayers { o.numLayers = numLayers }
    if let embeddingSize { o.embeddingSize = embeddingSize }
    if let dropout { o.dropout = dropout }
    if let seqLength { o.seqLength = seqLength }
    if let batchSize { o.batchSize = batchSize }
    if let learningRate { o.learningRate = learningRate }
    if let optimizer { o.optimizer = optimizer.kind }
    if let decayRate { o.decayRate = decayRate }
    if let lrDecay { o.lrDecay = lrDecay }
    if let lrDecayAfter { o.lrDecayAfter = lrDecayAfter }
    if let gradClip { o.gradClip = gradClip }
    if let maxEpochs { o.maxEpochs = maxEpochs }
    o.maxSteps = maxSteps
    o.maxTime = maxTime
    if let trainFrac { o.trainFrac = trainFrac }
    if let valFrac { o.valFrac = valFrac }
    if let evalEvery { o.evalEvery = evalEvery }
    o.checkpointEvery = checkpointEvery
    if let seed { o.seed = seed }
    if let initUniform { o.initUniform = initUniform > 0 ? initUniform : nil }
    if let forgetBias { o.forgetBias = forgetBias }
    o.bytes = bytes
    return o
  }

  /// `TrainingOptions` property names of the options given on the command line.
  func givenOptions(seed: UInt64?) -> Set<String> {
    let given: [(String, Bool)] = [
      ("rnnSize", rnnSize != nil), ("numLayers", numLayers != nil), ("embeddingSize", embeddingSize != nil),
      ("dropout", dropout != nil), ("seqLength", seqLength != nil), ("batchSize", batchSize != nil),
      ("learningRate", learningRate != nil), ("optimizer", optimizer != nil), ("decayRate", decayRate != nil),
      ("lrDecay", lrDecay != nil), ("lrDecayAfter", lrDecayAfter != nil), ("gradClip", gradClip != nil),
      ("maxEpochs", maxEpochs != nil), ("maxSteps", maxSteps != nil), ("maxTime", maxTime != nil),
      ("trainFrac", trainFrac != nil), ("valFrac", valFrac != nil), ("evalEvery", evalEvery != nil),
      ("checkpointEvery", checkpointEvery != nil), ("seed", seed != nil), ("initUniform", initUniform != nil),
      ("forgetBias", forgetBias != nil), ("bytes", bytes),
    ]
    return Set(given.filter(\.1).map(\.0))
  }
}

/// The command-line spelling of a `TrainingOptions` property: "rnnSize" -> "--rnn-size".
func flagName(_ property: String) -> String {
  var out = "--"
  for ch in property {
    if ch.isUppercase {
      out += "-" + ch.lowercased()
    } else {
      out.append(ch)
    }
  }
  return out
}
