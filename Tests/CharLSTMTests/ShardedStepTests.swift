import Testing

@testable import CharLSTM

/// The two-shard training step against the one-network path it replaces (which
/// the gradient checks verify): the same loss, gradients, final state and
/// dropout generator state, up to the order of additions; and the same bits
/// whether the shards run at once or one after the other.
struct ShardedStepTests {
  struct Outcome {
    var loss: Double
    var grads: [Float]
    var h: [Float], c: [Float]
    var rngState: UInt64
  }

  static let cases: [(config: ModelConfig, batch: Int)] = [
    (ModelConfig(vocabSize: 6, hiddenSize: 8, numLayers: 2, dropout: 0.4), 5),  // odd B: shards of 2 and 3
    (ModelConfig(vocabSize: 7, hiddenSize: 5, numLayers: 3, embeddingSize: 4, dropout: 0.25), 4),
    (ModelConfig(vocabSize: 5, hiddenSize: 6, numLayers: 1), 1),  // one shard
  ]

  /// A network, a (T, B) block and a non-zero initial state, all seeded.
  static func setUp(_ config: ModelConfig, B: Int, T: Int) -> (
    LSTMNetwork<Float>, [Int32], [Int32], LSTMState<Float>
  ) {
    let net = LSTMNetwork<Float>(config: config)
    net.initialize(seed: 3, uniformScale: 0.3, forgetBias: 1)
    var rng = SeededGenerator(seed: 11)
    let V = config.vocabSize
    let x = (0..<(T * B)).map { _ in Int32(rng.below(V)) }, y = (0..<(T * B)).map { _ in Int32(rng.below(V)) }
    let state = LSTMState<Float>(for: net, batch: B)
    for j in 0..<state.h.count {
      state.h[j] = Float(rng.uniform(-0.5, 0.5))
      state.c[j] = Float(rng.uniform(-1, 1))
    }
    return (net, x, y, state)
  }

  static func unsharded(_ config: ModelConfig, B: Int, T: Int, train: Bool) -> Outcome {
    let (net, x, y, state) = setUp(config, B: B, T: T)
    let ws = LSTMWorkspace<Float>(config: config, batch: B, steps: T)
    var rng = SeededGenerator(seed: 21)
    if train {
      net.forward(tokens: x, state: state, workspace: ws, dropout: &rng)
    } else {
      net.forward(tokens: x, state: state, workspace: ws)
    }
    let loss = net.loss(targets: y, workspace: ws)
    net.grads.zero()
    if train { net.backward(tokens: x, workspace: ws) }
    return Outcome(
      loss: loss, grads: net.grads.array, h: state.h.array, c: state.c.array, rngState: rng.state)
  }

  static func sharded(_ config: ModelConfig, B: Int, T: Int, train: Bool, parallel: Bool) -> Outcome {
    let (net, x, y, state) = setUp(config, B: B, T: T)
    let step = ShardedStep(network: net, batch: B, steps: T)
    var rng = SeededGenerator(seed: 21)
    net.grads.zero()
    let loss: Double
    if train {
      loss = step.run(tokens: x, targets: y, state: state, train: true, dropout: &rng, parallel: parallel)
    } else {
      loss = step.run(tokens: x, targets: y, state: state, train: false, dropout: nil, parallel: parallel)
    }
    return Outcome(
      loss: loss, grads: net.grads.array, h: state.h.array, c: state.c.array, rngState: rng.state)
  }

  static func largestDifference(_ a: [Float], _ b: [Float]) -> (Float, Float) {
    #expect(a.count == b.count)
    var worst: Float = 0, scale: Float = 0
    for j in 0..<min(a.count, b.count) {
      worst = max(worst, abs(a[j] - b[j]))
      scale = max(scale, abs(a[j]))
    }
    return (worst, scale)
  }

  @Test(arguments: 0..<cases.count)
  func trainingStepMatchesOneNetwork(_ index: Int) {
    let (config, B) = Self.cases[index]
    let T = 4
    let one = Self.unsharded(config, B: B, T: T, train: true)
    let two = Self.sharded(config, B: B, T: T, train: true, parallel: false)
    #expect(abs(one.loss - two.loss) < 1e-6 * one.loss)
    let (dg, gScale) = Self.largestDifference(one.grads, two.grads)
    #expect(gScale > 1e-3, "the gradients must not all vanish")
    #expect(dg < 1e-5 * gScale, "largest gradient difference \(dg) of \(gScale)")
    #expect(Self.largestDifference(one.h, two.h).0 < 1e-6)
    #expect(Self.largestDifference(one.c, two.c).0 < 1e-6)
    // The same masks were drawn: the generator is left in the same place.
    #expect(one.rngState == two.rngState)
  }

  @Test(arguments: 0..<cases.count)
  func evaluationMatchesOneNetwork(_ index: Int) {
    let (config, B) = Self.cases[index]
    let one = Self.unsharded(config, B: B, T: 3, train: false)
    let two = Self.sharded(config, B: B, T: 3, train: false, parallel: false)
    #expect(abs(one.loss - two.loss) < 1e-6 * one.loss)
    #expect(Self.largestDifference(one.h, two.h).0 < 1e-6)
    #expect(two.grads.allSatisfy { $0 == 0 }, "evaluation leaves the gradients alone")
  }

  /// The checkpoint must not depend on the thread count.
  @Test(arguments: 0..<cases.count)
  func parallelEqualsSequentialBitForBit(_ index: Int) {
    let (config, B) = Self.cases[index]
    setMatrixThreads(2)
    let a = Self.sharded(config, B: B, T: 5, train: true, parallel: true)
    let b = Self.sharded(config, B: B, T: 5, train: true, parallel: false)
    #expect(a.loss == b.loss)
    #expect(a.grads == b.grads)
    #expect(a.h == b.h && a.c == b.c)
    #expect(matrixThreads == 2, "the thread count is restored after the parallel shards")
  }
}
