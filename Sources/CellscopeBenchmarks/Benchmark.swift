import CharLSTM
import Foundation

/// Timings for `cellscope bench`: one training step (forward, loss, backward,
/// RMSProp) and one forward pass over synthetic data, at a given shape.
public enum Benchmark {
  /// The timings of one shape, each the mean over the timed iterations.
  public struct Result: Sendable {
    /// Characters (B·T per step) trained per second.
    public var trainCharsPerSecond: Double
    /// Milliseconds per training step.
    public var msPerStep: Double
    /// Matrix GFLOP/s of a training step (see ``trainingFlopsPerChar(layers:hidden:vocab:)``).
    public var gflops: Double
    /// Characters per second of the forward pass and loss alone.
    public var forwardCharsPerSecond: Double
  }

  /// Matrix FLOPs per character of one training step: forward 2·4H·(D+H) per
  /// layer plus 2·V·H for the decoder, and twice that again for backward.
  public static func trainingFlopsPerChar(layers L: Int, hidden H: Int, vocab V: Int) -> Double {
    var f = 0.0
    for k in 0..<L { f += 2 * Double(4 * H) * Double((k == 0 ? V : H) + H) }
    f += 2 * Double(V * H)
    return 3 * f
  }

  /// Times `iters` training steps, then `iters` forward passes, of a `layers` x
  /// `hidden` one-hot LSTM over `B` streams of `T` random characters from a
  /// vocabulary of `V`, after one untimed warm-up step. All sizes must be positive.
  ///
  /// - Parameter sharded: time the training path (``ShardedStep``: two halves of
  ///   the batch on two cores when OpenBLAS has two threads); false times one
  ///   network over the whole batch with multithreaded products, for comparison.
  /// - Parameter precision: the products' precision (bf16 runs as fp32 on a CPU without AVX512-BF16).
  public static func run(
    layers: Int, hidden: Int, batch B: Int, steps T: Int, vocab V: Int, iters: Int, sharded: Bool = true,
    precision: Precision = .fp32
  ) -> Result {
    let config = ModelConfig(vocabSize: V, hiddenSize: hidden, numLayers: layers)
    let net = LSTMNetwork<Float>(config: config)
    net.initialize(seed: 1, uniformScale: 0.08, forgetBias: 1)
    net.precision = precision
    var optimizer = Optimizer(kind: .rmsprop, parameterCount: net.layout.count)
    let state = LSTMState<Float>(for: net, batch: B)
    let ws = LSTMWorkspace<Float>(config: config, batch: B, steps: T)
    var rng = SeededGenerator(seed: 7)
    let x = (0..<(T * B)).map { _ in Int32(rng.below(V)) }, y = (0..<(T * B)).map { _ in Int32(rng.below(V)) }
    let step = ShardedStep(network: net, batch: B, steps: T)
    let clock = ContinuousClock()
    func trainStep() {
      if sharded {
        step.run(tokens: x, targets: y, state: state, train: true, dropout: nil)
      } else {
        net.forward(tokens: x, state: state, workspace: ws)
        net.loss(targets: y, workspace: ws)
        net.grads.zero()
        net.backward(tokens: x, workspace: ws)
      }
      optimizer.update(params: net.params, grads: net.grads, learningRate: 1e-3, clip: 5)
    }
    func forwardPass() {
      if sharded {
        step.run(tokens: x, targets: y, state: state, train: false, dropout: nil)
      } else {
        net.forward(tokens: x, state: state, workspace: ws)
        net.loss(targets: y, workspace: ws)
      }
    }
    trainStep()
    let t0 = clock.now
    for _ in 0..<iters { trainStep() }
    let train = seconds(clock.now - t0) / Double(iters)
    let t1 = clock.now
    for _ in 0..<iters { forwardPass() }
    let forward = seconds(clock.now - t1) / Double(iters)
    let chars = Double(B * T)
    return Result(
      trainCharsPerSecond: chars / train, msPerStep: train * 1000,
      gflops: trainingFlopsPerChar(layers: layers, hidden: hidden, vocab: V) * chars / train / 1e9,
      forwardCharsPerSecond: chars / forward)
  }

  /// GFLOP/s of a square single-precision product: the machine's ceiling.
  public static func sgemmCeiling(n: Int) -> Double {
    let a = Buffer<Float>(n * n), b = Buffer<Float>(n * n), c = Buffer<Float>(n * n)
    for i in 0..<(n * n) {
      a[i] = Float(i % 7) * 0.1
      b[i] = Float(i % 5) * 0.1
    }
    let clock = ContinuousClock()
    Float.gemm(
      transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a.p, lda: n, b: b.p, ldb: n, beta: 0,
      c: c.p, ldc: n)
    let reps = 5, t0 = clock.now
    for _ in 0..<reps {
      Float.gemm(
        transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a.p, lda: n, b: b.p, ldb: n, beta: 0,
        c: c.p, ldc: n)
    }
    return 2 * Double(n * n * n) * Double(reps) / seconds(clock.now - t0) / 1e9
  }
}
