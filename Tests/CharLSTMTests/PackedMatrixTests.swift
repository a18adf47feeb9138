import Testing

@testable import CharLSTM

/// The packed recurrent-product kernel against the naive triple loop, in Double:
/// every block height (12, 8, 4, 2, 1 rows and their mixtures), column counts
/// that fill panels of 32 exactly, partly (under and over 16) or not at all,
/// both packings, beta 0 and 1, and strides wider than the rows.
struct PackedMatrixTests {
  @Test(
    .enabled(if: PackedMatrix.isSupported, "this CPU has no AVX-512; the network uses BLAS instead"),
    arguments: [(1, 32, 8), (2, 20, 5), (4, 64, 16), (7, 48, 33), (13, 100, 25), (25, 512, 128), (31, 7, 3)])
  func productEqualsNaiveLoops(m: Int, n: Int, k: Int) {
    var rng = SeededGenerator(seed: UInt64(m * 1000 + n))
    for transposed in [false, true] {
      for beta: Float in [0, 1] {
        let lda = k + 3, ldc = n + 5, ldb = (transposed ? k : n) + 2
        let a = (0..<(m * lda)).map { _ in Float(rng.uniform(-1, 1)) }
        let b = (0..<((transposed ? n : k) * ldb)).map { _ in Float(rng.uniform(-1, 1)) }
        var c = (0..<(m * ldc)).map { _ in Float(rng.uniform(-1, 1)) }
        // The reference in Double from the same Float inputs.
        var expected = c.map(Double.init)
        let ad = a.map(Double.init), bd = b.map(Double.init)
        naiveGemm(
          transA: false, transB: transposed, m: m, n: n, k: k, alpha: 1, a: ad, lda: lda, b: bd, ldb: ldb,
          beta: Double(beta), c: &expected, ldc: ldc)
        let packed = PackedMatrix(k: k, n: n)
        packed.pack(b, ldb: ldb, transposed: transposed)
        packed.multiply(m: m, a: a, lda: lda, c: &c, ldc: ldc, beta: beta)
        var worst = 0.0
        for i in 0..<(m * ldc) { worst = max(worst, abs(Double(c[i]) - expected[i])) }
        // k products of magnitude ≤ 1 in Float: a few ulps of k.
        #expect(
          worst < 1e-6 * Double(k + 1), "m \(m) n \(n) k \(k) transposed \(transposed) beta \(beta): \(worst)"
        )
      }
    }
  }

  /// The network takes the packed path for Float at B ≥ 4 and BLAS otherwise, and
  /// both give the same forward pass up to rounding.
  @Test(.enabled(if: PackedMatrix.isSupported))
  func networkUsesItFromFourRowsAndAgreesWithBLAS() {
    let config = ModelConfig(vocabSize: 9, hiddenSize: 40, numLayers: 2)
    #expect(!LSTMWorkspace<Float>(config: config, batch: 5, steps: 3).packedForward.isEmpty)
    #expect(LSTMWorkspace<Float>(config: config, batch: 3, steps: 3).packedForward.isEmpty)
    #expect(LSTMWorkspace<Double>(config: config, batch: 5, steps: 3).packedForward.isEmpty)
    let net = LSTMNetwork<Float>(config: config)
    net.initialize(seed: 4, uniformScale: 0.2, forgetBias: 1)
    var rng = SeededGenerator(seed: 6)
    let B = 6, T = 5
    let x = (0..<(T * B)).map { _ in Int32(rng.below(9)) }
    let packed = LSTMWorkspace<Float>(config: config, batch: B, steps: T)
    net.forward(tokens: x, state: LSTMState<Float>(for: net, batch: B), workspace: packed)
    // Row by row (B = 1: BLAS) gives the reference.
    let one = LSTMWorkspace<Float>(config: config, batch: 1, steps: T)
    for b in 0..<B {
      net.forward(
        tokens: (0..<T).map { x[$0 * B + b] }, state: LSTMState<Float>(for: net, batch: 1), workspace: one)
      for t in 0..<T {
        for j in 0..<config.hiddenSize {
          #expect(
            abs(one.layers[1].h[(t + 1) * 40 + j] - packed.layers[1].h[((t + 1) * B + b) * 40 + j]) < 1e-6)
        }
      }
    }
  }
}
