/// Every training option, with char-rnn's defaults. Declared once here; the
/// command line reads its defaults from `TrainingOptions()`.
public struct TrainingOptions: Codable, Equatable, Sendable {
  public var rnnSize = 128  // H
  public var numLayers = 2  // L
  public var embeddingSize = 0  // E, 0 = one-hot input
  public var dropout = 0.0
  public var seqLength = 50  // T
  public var batchSize = 50  // B
  public var learningRate = 2e-3
  public var optimizer = Optimizer.Kind.rmsprop
  public var decayRate = 0.95  // RMSProp's averaging decay
  public var lrDecay = 0.97  // multiplied in at the start of each epoch after lrDecayAfter
  public var lrDecayAfter = 10  // epochs
  public var gradClip = 5.0  // element-wise, as char-rnn
  public var maxEpochs = 50.0
  public var maxSteps: Int? = nil
  public var maxTime: Double? = nil  // seconds
  public var trainFrac = 0.9
  public var valFrac = 0.05
  public var evalEvery = 1000  // steps
  public var checkpointEvery: Int? = nil  // steps; nil = at every evaluation
  public var seed: UInt64 = 123
  public var initUniform: Double? = 0.08  // nil = PyTorch's initialisation
  public var forgetBias = 1.0  // added to the forget gate's b_ih, as char-rnn
  public var bytes = false  // byte-level vocabulary
  public var sampleLength = 200  // characters sampled at each evaluation for the history
  /// The matrix products' precision; nil is fp32 and is not written, so that an
  /// fp32 checkpoint keeps the bytes it had before precisions existed.
  public var precision: Precision? = nil

  public init() {}

  public var modelConfig: (Int) -> ModelConfig {
    { V in
      ModelConfig(
        vocabSize: V, hiddenSize: rnnSize, numLayers: numLayers, embeddingSize: embeddingSize,
        dropout: dropout)
    }
  }
}

/// What a training run did, stored in the checkpoint's metadata so that a report
/// can plot it and `--resume` can continue exactly where it stopped.
public struct TrainingRecord: Codable, Equatable, Sendable {
  public struct Evaluation: Codable, Equatable, Sendable {
    public var step: Int
    public var epoch: Double
    public var valLoss: Double  // nats per character
    public var learningRate: Double
  }
  public struct Sample: Codable, Equatable, Sendable {
    public var step: Int
    public var text: String
  }
  public struct RateChange: Codable, Equatable, Sendable {
    public var step: Int
    public var learningRate: Double
  }

  public var options: TrainingOptions
  public var textName: String  // file name only, never a path
  public var textCharacters: Int
  public var textSHA256: String
  public var step = 0  // optimizer steps taken
  public var batchesPerEpoch = 0
  public var learningRate: Double
  public var rngState: UInt64  // dropout stream, for exact resume
  public var trainLoss: [Float] = []  // per step, nats per character
  public var evaluations: [Evaluation] = []
  public var samples: [Sample] = []
  public var rateChanges: [RateChange] = []
  public var bestValLoss: Double? = nil
  public var testLoss: Double? = nil
  public var finalTrainLoss: Double? = nil  // over all training batches, state carried, no dropout
  /// The cells' scores against the built-in features at each evaluation, when the
  /// trainer had an `evaluationProbe`; nil otherwise. Optional so that a run
  /// without the probe writes the same bytes as before it existed, and old
  /// checkpoints (without the key) still load.
  public var emergence: [EmergencePoint]? = nil

  public var epoch: Double { batchesPerEpoch > 0 ? Double(step) / Double(batchesPerEpoch) : 0 }
}

/// Each feature's best cell on a fixed slice of the validation split at one
/// evaluation: how interpretable cells emerge during training.
public struct EmergencePoint: Codable, Equatable, Sendable {
  /// The optimizer step the evaluation followed.
  public var step: Int
  /// One entry per feature that could be scored on the slice, in the probe's feature order.
  public var features: [FeatureEmergence]

  public init(step: Int, features: [FeatureEmergence]) {
    self.step = step
    self.features = features
  }
}

/// A feature's best cell and its score at one evaluation.
public struct FeatureEmergence: Codable, Equatable, Sendable {
  /// The feature id (e.g. "quote").
  public var feature: String
  /// "binary" (score: AUC in [0.5, 1], either sign) or "graded" (score: |r| or correlation ratio in [0, 1]).
  public var kind: String
  /// The best cell's score, as the analysis scores it.
  public var score: Double
  /// The score with its direction: AUC below 0.5 or negative r when the cell is low on the feature.
  public var signed: Double
  /// The best cell: layer (0-based), state ("c" or "h") and index within the layer.
  public var layer: Int
  public var state: String
  public var index: Int

  public init(
    feature: String, kind: String, score: Double, signed: Double, layer: Int, state: String, index: Int
  ) {
    self.feature = feature
    self.kind = kind
    self.score = score
    self.signed = signed
    self.layer = layer
    self.state = state
    self.index = index
  }
}

/// What the trainer hands its `evaluationProbe`: the current weights, the
/// vocabulary and the slice of validation text to score the cells on.
public struct ProbeInput {
  /// The network being trained, with the current weights: read it, never change it.
  public let network: LSTMNetwork<Float>
  public let vocabulary: Vocabulary
  /// The first characters of the validation split, as vocabulary indices.
  public let tokens: [Int32]
  /// The step the evaluation follows.
  public let step: Int

  public init(network: LSTMNetwork<Float>, vocabulary: Vocabulary, tokens: [Int32], step: Int) {
    self.network = network
    self.vocabulary = vocabulary
    self.tokens = tokens
    self.step = step
  }
}
