import Testing

@testable import CharLSTM

/// The bf16 products (issue 15) against references in Double.
///
/// Stated tolerances:
/// - rounding: exactly the nearest bf16, ties to even (an independent search of the two neighbours);
/// - a product, against Double sums of the same bf16-rounded operands: (k + 2) · 2⁻²⁴ · Σ|a·b| (the fp32
///   accumulation of k terms);
/// - a product, against Double sums of the unrounded operands: 2⁻⁷ · Σ|a·b| (each operand is within
///   2⁻⁹ of itself, relatively, after rounding);
/// - a network's loss and gradients: see each test.
private let bf16Available = ConditionTrait.enabled(
  if: Precision.bf16Supported, "this CPU has no AVX512-BF16; the products stay fp32")

/// The nearest bf16 to x, ties to even, found without bit tricks: the two bf16
/// values around x (x's upper 16 bits, and the next bf16 away from zero, which
/// is infinity past the largest) and their distances in Double, where the one
/// past the largest counts as 2¹²⁸, as IEEE rounding has it.
private func referenceBF16(_ x: Float) -> Float {
  if x.isNaN || x.isInfinite { return x }
  let down = Float(bitPattern: x.bitPattern & 0xFFFF_0000)
  let up = Float(bitPattern: (x.bitPattern & 0xFFFF_0000) &+ 0x1_0000)
  // A bf16 step is 2¹⁶ Float steps (also among subnormals).
  let upValue = Double(down) + (x.sign == .minus ? -1 : 1) * Double(down.ulp) * 65536
  let dDown = abs(Double(x) - Double(down)), dUp = abs(upValue - Double(x))
  if dDown < dUp { return down }
  if dUp < dDown { return up }
  return (down.bitPattern >> 16) & 1 == 0 ? down : up
}

struct BF16ProductTests {
  @Test func roundingIsToNearestTiesToEven() {
    var rng = SeededGenerator(seed: 15)
    var values: [Float] = [
      0, -0, 1, -1, 1.00390625, 1.005859375, 1.0078125, 3.4e38, -3.4e38, .greatestFiniteMagnitude,
      .leastNormalMagnitude, .leastNonzeroMagnitude, Float(bitPattern: 0x0001_16C2), .infinity, -.infinity,
    ]
    // Exact ties (the lower 16 bits 0x8000) with even and odd upper halves.
    for upper: UInt32 in [0x3F80, 0x3F81, 0xBF80, 0xBF81, 0x4049, 0x7F7F] {
      values.append(Float(bitPattern: upper << 16 | 0x8000))
    }
    for _ in 0..<20_000 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))) }
    for x in values where !x.isNaN {
      let got = roundedToBF16(x), want = referenceBF16(x)
      #expect(got.bitPattern == want.bitPattern, "\(x): \(got) against \(want)")
    }
    #expect(roundedToBF16(.nan).isNaN)
  }

  @Test(
    bf16Available,
    arguments: [
      (1, 32, 8), (1, 2048, 512), (2, 20, 5), (4, 64, 16), (7, 48, 33), (13, 100, 25), (25, 96, 129),
    ])
  func productMatchesDoubleReference(m: Int, n: Int, k: Int) {
    var rng = SeededGenerator(seed: UInt64(m * 7919 + n * 31 + k))
    for (transA, transB) in [(false, false), (false, true), (true, false), (true, true)] {
      for beta: Float in [0, 1] {
        let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5
        let a = (0..<((transA ? k : m) * lda)).map { _ in Float(rng.uniform(-1, 1)) }
        let b = (0..<((transB ? n : k) * ldb)).map { _ in Float(rng.uniform(-1, 1)) }
        let c0 = (0..<(m * ldc)).map { _ in Float(rng.uniform(-1, 1)) }
        func aAt(_ r: Int, _ i: Int) -> Float { transA ? a[i * lda + r] : a[r * lda + i] }
        func bAt(_ i: Int, _ j: Int) -> Float { transB ? b[j * ldb + i] : b[i * ldb + j] }
        let weight = BF16Matrix(), rows = BF16Rows()
        weight.pack(b, ldb: ldb, k: k, n: n, transposed: transB)
        rows.pack(a, lda: lda, m: m, k: k, transposed: transA)
        var result = c0
        weight.multiply(rows: rows, c: &result, ldc: ldc, beta: beta)
        let results = [result]
        var worstRounded = 0.0, worstExact = 0.0
        for r in 0..<m {
          for j in 0..<n {
            var rounded = beta == 0 ? 0 : Double(c0[r * ldc + j]), exact = rounded, scale = 0.0
            for i in 0..<k {
              let x = aAt(r, i), y = bAt(i, j)
              rounded += Double(referenceBF16(x)) * Double(referenceBF16(y))
              exact += Double(x) * Double(y)
              scale += abs(Double(x) * Double(y))
            }
            let got = Double(results[0][r * ldc + j]),
              base = scale + abs(beta == 0 ? 0 : Double(c0[r * ldc + j]))
            worstRounded = max(worstRounded, abs(got - rounded) / (Double(k + 2) * 0x1p-24 * base))
            worstExact = max(worstExact, abs(got - exact) / (0x1p-7 * base))
          }
          // Columns past n and rows' padding are not written.
          for j in n..<ldc { #expect(results[0][r * ldc + j] == c0[r * ldc + j]) }
        }
        let label = "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) beta \(beta)"
        #expect(worstRounded <= 1, "\(label): \(worstRounded) of the rounded tolerance")
        #expect(worstExact <= 1, "\(label): \(worstExact) of the exact tolerance")
      }
    }
  }

  /// A whole forward, loss and backward pass in bf16 against the same network in
  /// Double: the loss within 5·10⁻⁴ relative, and every parameter tensor's
  /// gradient within 2% of its norm (bf16 keeps 8 significant bits, so a single
  /// product is off by up to 2⁻⁸ relative; the passes chain a few dozen of them).
  /// Measured when written: 2.3·10⁻⁵ and 0.6%.
  /// The fp32 products must land far closer (the bf16 path must really run), and
  /// batch 1 (the exact recorder's products) and batch 6 take it alike.
  @Test(bf16Available, arguments: [1, 6])
  func networkFollowsDouble(batch B: Int) {
    let config = ModelConfig(vocabSize: 20, hiddenSize: 48, numLayers: 2, embeddingSize: 16)
    let T = 10
    let reference = LSTMNetwork<Double>(config: config)
    reference.initialize(seed: 3, uniformScale: 0.3, forgetBias: 1)
    var rng = SeededGenerator(seed: 8)
    let x = (0..<(T * B)).map { _ in Int32(rng.below(20)) }
    let y = (0..<(T * B)).map { _ in Int32(rng.below(20)) }
    func run<S: LSTMScalar>(_ net: LSTMNetwork<S>) -> (loss: Double, grads: [Double]) {
      let ws = LSTMWorkspace<S>(config: config, batch: B, steps: T)
      net.forward(tokens: x, state: LSTMState<S>(for: net, batch: B), workspace: ws)
      let loss = net.loss(targets: y, workspace: ws)
      net.grads.zero()
      net.backward(tokens: x, workspace: ws)
      return (loss, (0..<net.layout.count).map { Double(net.grads[$0]) })
    }
    let want = run(reference)
    var errors: [Precision: (loss: Double, gradient: Double)] = [:]
    for precision in Precision.allCases {
      let net = LSTMNetwork<Float>(config: config)
      for j in 0..<net.layout.count { net.params[j] = Float(reference.params[j]) }
      net.precision = precision
      let got = run(net)
      var worst = 0.0
      for entry in net.layout.entries {
        let range = entry.offset..<(entry.offset + entry.count)
        let norm = range.map { want.grads[$0] * want.grads[$0] }.reduce(0, +).squareRoot()
        let diff = range.map { (got.grads[$0] - want.grads[$0]) * (got.grads[$0] - want.grads[$0]) }
        worst = max(worst, diff.reduce(0, +).squareRoot() / max(norm, 1e-30))
      }
      errors[precision] = (abs(got.loss - want.loss) / want.loss, worst)
    }
    let bf16 = errors[.bf16]!, fp32 = errors[.fp32]!
    #expect(bf16.loss < 5e-4, "loss \(bf16.loss)")
    #expect(bf16.gradient < 0.02, "gradient \(bf16.gradient)")
    #expect(fp32.gradient < 1e-4 && bf16.gradient > 10 * fp32.gradient, "fp32 \(fp32), bf16 \(bf16)")
  }
}
