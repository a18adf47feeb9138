import Testing

@testable import CharLSTM

/// Each SIMD kernel against its scalar reference, one batch row at a time, as
/// the passes call them: the SIMD kernel over the cells it covers, the
/// reference over the rest. Cell counts below, at and around the SIMD width
/// (8) and not multiples of it; inputs random with edge values mixed in (zeros,
/// saturating |z|, large states and gradients). Every array is followed by
/// sentinels that must stay untouched.
struct PointwiseKernelTests {
  static let cellCounts = [1, 7, 8, 9, 16, 19, 33, 64]
  static let sentinel: Float = 12_345.5
  static let padding = 9

  /// `count` values uniform in (lo, hi), every fifth replaced by the next of `edges`.
  static func values(
    _ count: Int, _ lo: Double, _ hi: Double, edges: [Float], rng: inout SeededGenerator
  ) -> [Float] {
    (0..<count).map { index in
      index % 5 == 2 ? edges[(index / 5) % edges.count] : Float(rng.uniform(lo, hi))
    } + Array(repeating: sentinel, count: padding)
  }

  static func untouchedPadding(_ a: [Float], _ count: Int) -> Bool {
    a[count...].allSatisfy { $0 == sentinel }
  }

  /// Forward: the SIMD kernel uses the fast exp, the reference libm, so they
  /// agree within the activations' error (4e-7, `FastActivationsTests`) and
  /// what it becomes through c_t = f ⊙ c_{t-1} + i ⊙ g and tanh: bounded here
  /// by 2e-6 · (1 + |c_{t-1}|). Cells past the SIMD blocks run the reference in
  /// both, so they are equal bit for bit.
  @Test(arguments: cellCounts)
  func forwardKernelMatchesReference(cells H: Int) {
    var rng = SeededGenerator(seed: UInt64(100 + H))
    let zEdges: [Float] = [0, -0.0, 30, -30, 100, -100, 1e4, -1e4, 88.5, -88.5]
    let z = Self.values(4 * H, -6, 6, edges: zEdges, rng: &rng)
    let cPrev = Self.values(H, -5, 5, edges: [0, 50, -50, 1e3], rng: &rng)
    var zFast = z, cFast = [Float](repeating: Self.sentinel, count: H + Self.padding)
    var thFast = cFast, hFast = cFast
    var zRef = z, cRef = cFast, thRef = cFast, hRef = cFast
    let done = lstmCellForward(z: &zFast, cPrev: cPrev, cNext: &cFast, tanhC: &thFast, hNext: &hFast, H: H)
    lstmCellForwardReference(
      z: &zFast, cPrev: cPrev, cNext: &cFast, tanhC: &thFast, hNext: &hFast, H: H, cells: done..<H)
    lstmCellForwardReference(
      z: &zRef, cPrev: cPrev, cNext: &cRef, tanhC: &thRef, hNext: &hRef, H: H, cells: 0..<H)
    #expect(done == H / 8 * 8)
    for j in 0..<(4 * H) {
      #expect(abs(zFast[j] - zRef[j]) <= 1e-6, "gate row \(j) of \(4 * H): \(zFast[j]) against \(zRef[j])")
    }
    for j in 0..<H {
      let bound = 2e-6 * (1 + abs(cPrev[j]))
      #expect(abs(cFast[j] - cRef[j]) <= bound, "c at cell \(j): \(cFast[j]) against \(cRef[j])")
      #expect(abs(thFast[j] - thRef[j]) <= bound, "tanh(c) at cell \(j)")
      #expect(abs(hFast[j] - hRef[j]) <= bound, "h at cell \(j)")
      #expect(hFast[j].isFinite && cFast[j].isFinite)
    }
    for j in done..<H {
      #expect(cFast[j].bitPattern == cRef[j].bitPattern && hFast[j].bitPattern == hRef[j].bitPattern)
    }
    #expect(Self.untouchedPadding(zFast, 4 * H) && Self.untouchedPadding(cFast, H))
    #expect(Self.untouchedPadding(thFast, H) && Self.untouchedPadding(hFast, H))
  }

  /// Saturating gates: for |z| far past the clamp of the fast exp, the SIMD
  /// kernel's gates go to 0 or 1 (g to ±1) and nothing becomes NaN.
  @Test func forwardKernelSaturatesLikeReference() {
    let H = 8
    var z = [Float](repeating: 0, count: 4 * H)
    for j in 0..<(4 * H) { z[j] = j % 2 == 0 ? 1e30 : -1e30 }
    let cPrev = [Float](repeating: 2, count: H)
    var c = [Float](repeating: 0, count: H), th = c, h = c
    #expect(lstmCellForward(z: &z, cPrev: cPrev, cNext: &c, tanhC: &th, hNext: &h, H: H) == 8)
    for j in 0..<H {
      // Even cells: i = f = g = o = 1, so c = 2 + 1 = 3; odd: all 0 (g = -1), c = 0.
      let expectedC: Float = j % 2 == 0 ? 3 : 0
      #expect(abs(c[j] - expectedC) < 1e-6 && h[j].isFinite, "cell \(j): c \(c[j])")
    }
  }

  /// Backward: the same operations in the same order, so the SIMD kernel and
  /// the reference agree bit for bit, also at zero and extreme gradients.
  @Test(arguments: cellCounts)
  func backwardKernelEqualsReferenceBitwise(cells H: Int) {
    var rng = SeededGenerator(seed: UInt64(200 + H))
    // Gates as forward leaves them: i, f, o in [0, 1], g in [-1, 1], edges included.
    let sigmoidGates: [Float] = [0, 1, 0.5, 1e-30]
    var gates = Self.values(3 * H, 0, 1, edges: sigmoidGates, rng: &rng)
    let g = Self.values(H, -1, 1, edges: [-1, 1, 0], rng: &rng)
    gates.insert(contentsOf: g[..<H], at: 2 * H)  // order i, f, g, o
    let cPrev = Self.values(H, -5, 5, edges: [0, 80, -80], rng: &rng)
    let tanhC = Self.values(H, -1, 1, edges: [1, -1, 0], rng: &rng)
    let dhAbove = Self.values(H, -1, 1, edges: [0, 1e3, -1e3], rng: &rng)
    let dhNext = Self.values(H, -1, 1, edges: [0, -1e3, 1e-20], rng: &rng)
    let dcNext = Self.values(H, -1, 1, edges: [0, 5e2, -5e2], rng: &rng)
    var dcFast = dcNext, dzFast = [Float](repeating: Self.sentinel, count: 4 * H + Self.padding)
    var dcRef = dcNext, dzRef = dzFast
    let done = lstmCellBackward(
      gates: gates, cPrev: cPrev, tanhC: tanhC, dhAbove: dhAbove, dhNext: dhNext, dcNext: &dcFast,
      dz: &dzFast, H: H)
    lstmCellBackwardReference(
      gates: gates, cPrev: cPrev, tanhC: tanhC, dhAbove: dhAbove, dhNext: dhNext, dcNext: &dcFast,
      dz: &dzFast,
      H: H, cells: done..<H)
    lstmCellBackwardReference(
      gates: gates, cPrev: cPrev, tanhC: tanhC, dhAbove: dhAbove, dhNext: dhNext, dcNext: &dcRef, dz: &dzRef,
      H: H, cells: 0..<H)
    #expect(done == H / 8 * 8)
    for j in 0..<(4 * H) {
      #expect(dzFast[j].bitPattern == dzRef[j].bitPattern, "dz row \(j): \(dzFast[j]) against \(dzRef[j])")
    }
    for j in 0..<H { #expect(dcFast[j].bitPattern == dcRef[j].bitPattern, "dc at cell \(j)") }
    // Independent of both: the reference's dz_o from its formula, in Double.
    for j in 0..<H {
      let o = Double(gates[3 * H + j]), dh = Double(dhAbove[j]) + Double(dhNext[j])
      let expected = dh * Double(tanhC[j]) * o * (1 - o)
      #expect(abs(Double(dzRef[3 * H + j]) - expected) <= 1e-5 * max(1, abs(expected)))
    }
    #expect(Self.untouchedPadding(dzFast, 4 * H) && Self.untouchedPadding(dcFast, H))
  }
}
