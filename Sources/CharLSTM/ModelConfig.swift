/// The shape of a char-LSTM. One legend for every buffer in this module:
///
/// - B: batch size (independent streams run side by side)
/// - T: time steps in one sequence
/// - V: vocabulary size; E: embedding size (0 means one-hot input, as char-rnn)
/// - D: a layer's input size (V or E for layer 0, H above it)
/// - H: cells per layer; G = 4H fused gate rows in PyTorch's order i, f, g, o
/// - L: number of stacked layers
public struct ModelConfig: Codable, Equatable, Sendable {
  public var vocabSize: Int  // V
  public var hiddenSize: Int  // H
  public var numLayers: Int  // L
  public var embeddingSize: Int  // E, 0 = one-hot input
  public var dropout: Double  // probability of zeroing a layer's output before the next layer

  public init(vocabSize: Int, hiddenSize: Int, numLayers: Int, embeddingSize: Int = 0, dropout: Double = 0) {
    self.vocabSize = vocabSize
    self.hiddenSize = hiddenSize
    self.numLayers = numLayers
    self.embeddingSize = embeddingSize
    self.dropout = dropout
  }

  enum CodingKeys: String, CodingKey {
    case vocabSize = "vocab_size", hiddenSize = "hidden_size", numLayers = "num_layers"
    case embeddingSize = "embedding_size", dropout
  }

  /// D_k: the input size of layer k.
  public func inputSize(layer k: Int) -> Int {
    k > 0 ? hiddenSize : (embeddingSize > 0 ? embeddingSize : vocabSize)
  }

  /// Largest vocabulary: every Unicode scalar value (bytes models have 256).
  public static let maxVocabSize = 0x11_0000
  /// Largest hidden and embedding sizes, and the most layers.
  public static let maxHiddenSize = 8192, maxEmbeddingSize = 8192, maxLayers = 16

  /// What is wrong with these sizes, as (property name, "hidden size 0; it must
  /// be between 1 and 8192"), or nil when they are usable. Words, not flags: the
  /// config may come from a checkpoint as well as from the command line.
  public var problem: (property: String, problem: String)? {
    if !(1...Self.maxVocabSize).contains(vocabSize) {
      return ("vocabSize", "vocabulary size \(vocabSize); it must be between 1 and \(Self.maxVocabSize)")
    }
    if !(1...Self.maxHiddenSize).contains(hiddenSize) {
      return ("hiddenSize", "hidden size \(hiddenSize); it must be between 1 and \(Self.maxHiddenSize)")
    }
    if !(1...Self.maxLayers).contains(numLayers) {
      return ("numLayers", "\(numLayers) layers; it must have between 1 and \(Self.maxLayers)")
    }
    if !(0...Self.maxEmbeddingSize).contains(embeddingSize) {
      return (
        "embeddingSize", "embedding size \(embeddingSize); it must be between 0 and \(Self.maxEmbeddingSize)"
      )
    }
    if !(dropout >= 0 && dropout < 1) {
      return ("dropout", "dropout \(dropout); it must be at least 0 and below 1")
    }
    return nil
  }

  /// Checks the sizes are usable.
  /// - Throws: `invalidModelConfig` naming the property and the allowed range.
  public func validate() throws {
    if let p = problem { throw CellscopeError.invalidModelConfig(property: p.property, problem: p.problem) }
  }
}

/// Where each named tensor sits in the one flat parameter buffer.
///
/// Names and shapes are PyTorch's (`nn.Embedding`, `nn.LSTM`, `nn.Linear`), so a
/// checkpoint maps one to one onto a PyTorch state dict. Keeping all parameters
/// in one buffer makes optimizers and gradient checks a single loop.
public struct ParameterLayout: Sendable {
  public struct Entry: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
  }

  /// Offsets of one layer's tensors.
  public struct Layer: Sendable {
    public let weightIH: Int  // (4H, D)
    public let weightHH: Int  // (4H, H)
    public let biasIH: Int  // (4H)
    public let biasHH: Int  // (4H)
  }

  public let config: ModelConfig
  public let entries: [Entry]
  public let count: Int
  public let encoder: Int?  // (V, E)
  public let layers: [Layer]
  public let decoderWeight: Int  // (V, H)
  public let decoderBias: Int  // (V)

  public init(_ config: ModelConfig) {
    self.config = config
    let V = config.vocabSize, H = config.hiddenSize, E = config.embeddingSize
    var entries: [Entry] = []
    var offset = 0
    func add(_ name: String, _ shape: [Int]) -> Int {
      let e = Entry(name: name, shape: shape, offset: offset)
      entries.append(e)
      offset += e.count
      return e.offset
    }
    encoder = E > 0 ? add("encoder.weight", [V, E]) : nil
    var layers: [Layer] = []
    for k in 0..<config.numLayers {
      let D = config.inputSize(layer: k)
      layers.append(
        Layer(
          weightIH: add("lstm.weight_ih_l\(k)", [4 * H, D]),
          weightHH: add("lstm.weight_hh_l\(k)", [4 * H, H]),
          biasIH: add("lstm.bias_ih_l\(k)", [4 * H]),
          biasHH: add("lstm.bias_hh_l\(k)", [4 * H])))
    }
    self.layers = layers
    decoderWeight = add("decoder.weight", [V, H])
    decoderBias = add("decoder.bias", [V])
    self.entries = entries
    count = offset
  }

  public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }
}
