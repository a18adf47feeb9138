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

  public var epoch: Double { batchesPerEpoch > 0 ? Double(step) / Double(batchesPerEpoch) : 0 }
}
