/// A character-level LSTM: input (one-hot or embedding) → L stacked LSTM layers →
/// linear decoder → softmax over V characters.
///
/// Gates are fused in PyTorch's order **i, f, g, o**: each layer holds
/// `W_ih` (G, D), `W_hh` (G, H), `b_ih` (G), `b_hh` (G), and for input x_t
///
///     z_t = W_ih·x_t + b_ih + W_hh·h_{t-1} + b_hh          (G)
///     i = σ(z_i)  f = σ(z_f)  g = tanh(z_g)  o = σ(z_o)    (H each)
///     c_t = f ⊙ c_{t-1} + i ⊙ g
///     h_t = o ⊙ tanh(c_t)
///     logits_t = W_dec·h_t + b_dec  (top layer's h_t)      (V)
///
/// exactly as `nn.LSTM`. Dropout (inverted, as PyTorch) applies to the output of
/// every layer but the last, as `nn.LSTM(dropout:)` does.
///
/// Generic over the scalar so that gradient checks run in `Double` while
/// training runs in `Float`.
///
/// ## Legend
/// Every letter means one thing in the numeric files (this one, its passes,
/// the products and kernels, ``ShardedStep``, ``Buffer``):
///
/// | letter | meaning |
/// | --- | --- |
/// | S | the scalar type, `Float` or `Double` (``LSTMScalar``) |
/// | B | batch rows of a pass; Bs the rows of one shard of ``ShardedStep`` |
/// | T | time steps per block |
/// | N | positions of a block, T·B; blocks are time-major, position r = t·B + b |
/// | H | cells per layer (`hiddenSize`) |
/// | G | gate rows, 4H: i, f, g, o stacked, each H |
/// | V | vocabulary size (characters) |
/// | L | layers |
/// | E | embedding size (0: one-hot input) |
/// | D | input width of a layer: V (one-hot) or E for layer 0, H above |
/// | W, dW | the parameter block and its gradient (named tensors at `layout`'s offsets) |
/// | X | a layer's input block (N, D) |
/// | Z | a layer's gate block (T, B, G): z first, then i, f, g, o in place |
/// | Y, P | the logits (N, V); the same buffer as probabilities after ``loss(targets:workspace:)`` |
/// | dY, dZ, dH, dX | gradients with respect to Y, Z, a layer's h_1...h_T, X |
/// | b, t, r | a batch row, a time step, a position (indices) |
/// | j, v | a cell or gate row, a character (indices) |
/// | layer, lw | a layer's index, and its tensors' offsets in `layout` |
/// | x, z, i, f, g, o, c, h | the quantities of the equations above |
///
/// Inside ``LSTMScalar/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``,
/// gemv and ``PackedMatrix`` the arguments keep BLAS's names (m, n, k, a, b, c,
/// x, y, lda...); they mean that only there.
///
/// Every buffer is row-major with its shape in a comment, e.g. `(T, B, H)`:
/// the last index varies fastest.
public final class LSTMNetwork<S: LSTMScalar>: @unchecked Sendable {
  public let config: ModelConfig
  public let layout: ParameterLayout
  /// All parameters, laid out as `layout` says.
  public let params: Buffer<S>  // (layout.count)
  /// Gradients of the loss with respect to `params`, same layout; accumulated by `backward`.
  public let grads: Buffer<S>  // (layout.count), or (0) for a shard without gradients
  /// How the matrix products round their operands. bf16 applies to Float networks
  /// on a CPU with AVX512-BF16 (``Precision/bf16Supported``); elsewhere the
  /// products stay fp32, with the same results as `.fp32`.
  public var precision: Precision = .fp32
  /// Set by readers that never change the parameters (the recorder, the scorer,
  /// ablation): the bf16 products then round and pack each weight once, on the
  /// first forward pass of a workspace, instead of once per pass. A network whose
  /// parameters change after that (training) must leave it false, or its passes
  /// would read the old weights.
  public var weightsAreFixed = false

  public init(config: ModelConfig) {
    self.config = config
    layout = ParameterLayout(config)
    params = Buffer(layout.count)
    grads = Buffer(layout.count)
  }

  /// A network that reads `other`'s parameters (the same buffer, not a copy) and
  /// accumulates into gradients of its own: one shard of a data-parallel step.
  /// Without `gradients` it has none (an empty buffer) and must not run `backward`.
  public init(sharingParametersOf other: LSTMNetwork<S>, gradients: Bool = true) {
    config = other.config
    layout = other.layout
    params = other.params
    grads = Buffer(gradients ? layout.count : 0)
    precision = other.precision
    weightsAreFixed = other.weightsAreFixed
  }

  /// The products of a pass over `ws`: bf16 when asked for and possible, else fp32.
  /// `forward`: the pass's operand b is always a weight (backward's are not).
  func products(_ ws: LSTMWorkspace<S>, forward: Bool) -> Products<S> {
    let bf16 = S.self == Float.self && precision == .bf16 && Precision.bf16Supported
    return Products(bf16: bf16 ? ws.bf16Scratch : nil, fixedWeights: forward && weightsAreFixed)
  }

  /// char-rnn's initialisation: every parameter uniform in (-scale, scale); or,
  /// with `scale == nil`, PyTorch's (uniform in ±1/√H for the LSTM and decoder,
  /// N(0, 1)-like uniform for the embedding). `forgetBias` is then added to the
  /// forget-gate rows of `b_ih`, as char-rnn does (it sets them to 1).
  public func initialize(seed: UInt64, uniformScale scale: Double?, forgetBias: Double) {
    var rng = SeededGenerator(seed: seed)
    let H = config.hiddenSize
    let pytorch = 1.0 / Double(H).squareRoot()
    for entry in layout.entries {
      let bound = scale ?? (entry.name == "encoder.weight" ? 1.0 : pytorch)
      for j in 0..<entry.count { params[entry.offset + j] = S(rng.uniform(-bound, bound)) }
    }
    for lw in layout.layers {
      // The forget gate's rows are the second H of b_ih (G).
      for j in 0..<H { params[lw.biasIH + H + j] = params[lw.biasIH + H + j] + S(forgetBias) }
    }
  }
}

/// One cell of one batch row held at a fixed cell state c (see ``LSTMWorkspace/clamps``).
public struct CellClamp: Sendable, Equatable {
  /// The batch row b (0..<B) and the cell j (0..<H) within its layer.
  public var row: Int, unit: Int
  /// The value c is replaced by at every step.
  public var value: Double
  public init(row: Int, unit: Int, value: Double) {
    self.row = row
    self.unit = unit
    self.value = value
  }
}

/// The recurrent state of every layer: h and c, each (L, B, H).
public final class LSTMState<S: LSTMScalar>: @unchecked Sendable {
  public let layers: Int, batch: Int, hidden: Int
  public let h: Buffer<S>  // (L, B, H)
  public let c: Buffer<S>  // (L, B, H)

  public init(layers: Int, batch: Int, hidden: Int) {
    self.layers = layers
    self.batch = batch
    self.hidden = hidden
    h = Buffer(layers * batch * hidden)
    c = Buffer(layers * batch * hidden)
  }

  public convenience init<NetworkScalar>(for network: LSTMNetwork<NetworkScalar>, batch: Int) {
    self.init(layers: network.config.numLayers, batch: batch, hidden: network.config.hiddenSize)
  }

  public func reset() {
    h.zero()
    c.zero()
  }

  public func copy(from other: LSTMState<S>) {
    h.copy(from: other.h)
    c.copy(from: other.c)
  }
}

/// Everything one forward pass over a (T, B) block computes and backward reads.
/// Sizes in the shape comments as in ``LSTMNetwork``'s legend.
///
/// Sized once for a given B and T and reused every step, so that training does no
/// allocation in its loop. The recorder reads the cached gates, c and h.
public final class LSTMWorkspace<S: LSTMScalar>: @unchecked Sendable {
  public let B: Int, T: Int
  let config: ModelConfig

  /// Per-layer caches, each time-major.
  public final class LayerCache: @unchecked Sendable {
    public let gates: Buffer<S>  // (T, B, G) after the nonlinearities: i, f, g, o
    public let c: Buffer<S>  // (T+1, B, H) slot 0 = c_0 (the state carried in)
    public let h: Buffer<S>  // (T+1, B, H) slot 0 = h_0
    public let tanhC: Buffer<S>  // (T, B, H)
    let input: Buffer<S>?  // (T, B, D) the layer's input when it is not another buffer as is
    let mask: Buffer<S>?  // (T, B, H) dropout mask applied to this layer's input (layers above the first)
    let dZ: Buffer<S>  // (T, B, G) gradient at the gate pre-activations
    let dH: Buffer<S>  // (T, B, H) gradient arriving at this layer's outputs h_1...h_T
    let dX: Buffer<S>?  // (T, B, D) gradient at the input, when it must be routed further
    init(B: Int, T: Int, D: Int, H: Int, needsInput: Bool, dropout: Bool, needsDX: Bool) {
      gates = Buffer(T * B * 4 * H)  // G = 4H
      c = Buffer((T + 1) * B * H)
      h = Buffer((T + 1) * B * H)
      tanhC = Buffer(T * B * H)
      input = needsInput ? Buffer(T * B * D) : nil
      mask = dropout ? Buffer(T * B * H) : nil
      dZ = Buffer(T * B * 4 * H)
      dH = Buffer(T * B * H)
      dX = needsDX ? Buffer(T * B * D) : nil
    }
  }

  public let layers: [LayerCache]
  /// W_hh of each layer packed for the recurrent products (Float, B ≥ 4, on a CPU
  /// that runs ``PackedMatrix``; else empty and BLAS does them): read as W_hhᵀ
  /// (H, G) forward, as W_hh (G, H) backward, repacked by every pass since the
  /// weights change between steps. See ``RecurrentProduct``.
  let packedForward: [PackedMatrix]  // L of (H, G), or none
  private var packedBackwardStorage: [PackedMatrix]?
  var packedBackward: [PackedMatrix] {  // L of (G, H), made on the first backward
    if let packed = packedBackwardStorage { return packed }
    let packed = packedForward.map { _ in PackedMatrix(k: 4 * config.hiddenSize, n: config.hiddenSize) }
    packedBackwardStorage = packed
    return packed
  }
  private var bf16Storage: BF16Scratch?
  var bf16Scratch: BF16Scratch {  // made on the first bf16 pass
    if let scratch = bf16Storage { return scratch }
    let scratch = BF16Scratch()
    bf16Storage = scratch
    return scratch
  }
  /// Cells held at a fixed c during forward passes, per layer (empty: none): mean ablation.
  /// Each layer's list must name rows below B and units below H.
  public var clamps: [[CellClamp]] = [] {
    didSet {
      precondition(clamps.isEmpty || clamps.count == config.numLayers, "one clamp list per layer")
      for list in clamps {
        for c in list { precondition(c.row >= 0 && c.row < B && c.unit >= 0 && c.unit < config.hiddenSize) }
      }
    }
  }
  /// Whether the element-wise steps may split their rows across two threads;
  /// off for a shard of ``ShardedStep``, which already has a core to itself.
  public var splitsRows = true
  public let logits: Buffer<S>  // (T, B, V), softmax probabilities after `loss`
  // (V, G) W_ih_l0ᵀ + biases in forward, dW_ih_l0ᵀ in backward (one-hot input only)
  let oneHotRows: Buffer<S>
  let dlogits: Buffer<S>  // (T, B, V) dY
  /// Gradients with respect to the initial state, filled by `backward`.
  public let dState: LSTMState<S>  // (L, B, H) each

  public init(config: ModelConfig, batch B: Int, steps T: Int) {
    self.B = B
    self.T = T
    self.config = config
    let H = config.hiddenSize, V = config.vocabSize, L = config.numLayers
    var layers: [LayerCache] = []
    for layer in 0..<L {
      let D = config.inputSize(layer: layer)
      let dropout = layer > 0 && config.dropout > 0
      let needsInput = (layer == 0 && config.embeddingSize > 0) || dropout
      let needsDX = layer > 0 ? dropout : config.embeddingSize > 0
      layers.append(
        LayerCache(B: B, T: T, D: D, H: H, needsInput: needsInput, dropout: dropout, needsDX: needsDX))
    }
    self.layers = layers
    logits = Buffer(T * B * V)
    oneHotRows = Buffer(config.embeddingSize == 0 ? V * 4 * H : 0)
    dlogits = Buffer(T * B * V)
    dState = LSTMState(layers: L, batch: B, hidden: H)
    let packed = S.self == Float.self && PackedMatrix.isSupported && B >= PackedMatrix.minimumRows
    packedForward = packed ? (0..<L).map { _ in PackedMatrix(k: H, n: 4 * H) } : []
  }

  /// h_t of `layer` for t in 1...T as one (N, H) block.
  public func outputs(layer: Int) -> UnsafeMutablePointer<S> { layers[layer].h.p + B * config.hiddenSize }
}
