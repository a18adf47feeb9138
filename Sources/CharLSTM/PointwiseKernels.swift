/// The LSTM's element-wise steps: each SIMD kernel (Float, 8 cells at a time)
/// next to its scalar reference (any scalar, libm's exp and tanh).
///
/// The passes run the SIMD kernel over the cells it covers (H rounded down to a
/// multiple of 8) and the reference over the rest, and the reference alone in
/// `Double` (gradient checks). `PointwiseKernelTests` holds each pair equal:
/// bitwise where the maths is the same (backward), within the activations'
/// error where the SIMD kernel uses ``fastExp(_:)`` (forward).
///
/// Pointers are one batch row: `z` and `gates` (4H) in gate order i, f, g, o;
/// every other one (H).

// MARK: - Activations

/// e^x for 8 lanes, by Cody–Waite range reduction x = n·ln2 + ρ, |ρ| ≤ ln2/2,
/// and Cephes' degree-6 polynomial for e^ρ, then scaled by 2^n through the
/// exponent bits. Inputs are clamped to [-87.3, 88.3] so that 2^n stays a
/// normal float. Against libm over [-20, 20], sigmoid and tanh built on it
/// agree within 4e-7 absolute (`FastActivationsTests` measures it).
@inline(__always)
func fastExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
  // Plain lane-wise arithmetic only: the generic SIMD conversions and rounding
  // (Int32(Float), .rounded) compile to per-lane calls and cost more than libm.
  let x = x.replacing(with: 88.3, where: x .> 88.3).replacing(with: -87.3, where: x .< -87.3)
  // n = round(x / ln 2) by the 1.5·2^23 trick: adding it leaves n in the low mantissa bits.
  let magic = SIMD8<Float>(repeating: 12_582_912)
  let shifted = x * 1.442_695_04 + magic
  let n = shifted - magic
  let rho = x - n * 0.693_359_375 + n * 2.121_944_4e-4
  var poly = SIMD8<Float>(repeating: 1.987_569_15e-4)
  poly = poly * rho + 1.398_199_95e-3
  poly = poly * rho + 8.333_451_907e-3
  poly = poly * rho + 4.166_579_589e-2
  poly = poly * rho + 1.666_666_546e-1
  poly = poly * rho + 5.000_000_12e-1
  let expRho = poly * (rho * rho) + rho + 1
  // 2^n: the integer n sits in the low bits of `shifted`; move it into the exponent field.
  let bits = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
  return expRho * unsafeBitCast(bits, to: SIMD8<Float>.self)
}

/// σ(x) = 1 / (1 + e^-x) for 8 lanes; saturates to exactly 1 above x ≈ 17.
@inline(__always)
func fastSigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + fastExp(-x)) }

/// tanh(x) = 1 − 2 / (e^{2x} + 1) for 8 lanes: absolute error stays at float rounding.
@inline(__always)
func fastTanh(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 - 2 / (fastExp(2 * x) + 1) }

/// σ(x) = 1 / (1 + e^-x) in any scalar, through libm: the reference of ``fastSigmoid(_:)``.
@inline(__always)
func sigmoid<S: LSTMScalar>(_ x: S) -> S { 1 / (1 + S.exp(-x)) }

/// Public wrappers, for tests and the benchmark's accuracy report.
public enum FastActivations {
  public static func sigmoid(_ x: Float) -> Float { fastSigmoid(SIMD8(repeating: x))[0] }
  public static func tanh(_ x: Float) -> Float { fastTanh(SIMD8(repeating: x))[0] }
  public static func exp(_ x: Float) -> Float { fastExp(SIMD8(repeating: x))[0] }
}

@inline(__always)
private func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

// MARK: - One step forward

/// One LSTM step's nonlinearities for one batch row, 8 cells at a time:
///
///     i, f, g, o = σ(z_i), σ(z_f), tanh(z_g), σ(z_o)     (into z, in place)
///     c_t = f ⊙ c_{t-1} + i ⊙ g
///     h_t = o ⊙ tanh(c_t)
///
/// - Returns: the first cell j it did not handle: H rounded down to 8 (0 when H < 8).
@inline(__always)
func lstmCellForward(
  z: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>, cNext: UnsafeMutablePointer<Float>,
  tanhC: UnsafeMutablePointer<Float>, hNext: UnsafeMutablePointer<Float>, H: Int
) -> Int {
  var j = 0
  while j + 8 <= H {
    let i = fastSigmoid(load(z + j)), f = fastSigmoid(load(z + H + j))
    let g = fastTanh(load(z + 2 * H + j)), o = fastSigmoid(load(z + 3 * H + j))
    store(i, z + j)
    store(f, z + H + j)
    store(g, z + 2 * H + j)
    store(o, z + 3 * H + j)
    let c = f * load(cPrev + j) + i * g
    let th = fastTanh(c)
    store(c, cNext + j)
    store(th, tanhC + j)
    store(o * th, hNext + j)
    j += 8
  }
  return j
}

/// The scalar reference of ``lstmCellForward(z:cPrev:cNext:tanhC:hNext:H:)``,
/// the same equations one cell at a time through libm, over `cells` (a range
/// in 0..<H); the passes run it on the cells the SIMD kernel left.
@inline(__always)
func lstmCellForwardReference<S: LSTMScalar>(
  z: UnsafeMutablePointer<S>, cPrev: UnsafePointer<S>, cNext: UnsafeMutablePointer<S>,
  tanhC: UnsafeMutablePointer<S>, hNext: UnsafeMutablePointer<S>, H: Int, cells: Range<Int>
) {
  for j in cells {
    let i = sigmoid(z[j]), f = sigmoid(z[H + j]), g = S.tanh(z[2 * H + j])
    let o = sigmoid(z[3 * H + j])
    z[j] = i
    z[H + j] = f
    z[2 * H + j] = g
    z[3 * H + j] = o
    let c = f * cPrev[j] + i * g
    let th = S.tanh(c)
    cNext[j] = c
    tanhC[j] = th
    hNext[j] = o * th
  }
}

// MARK: - One step backward

/// The same step backwards for one batch row, 8 cells at a time. The gradient
/// at h_t is what comes from above (`dhAbove`) plus what came back from t+1
/// (`dhNext`); at c_t it is `dcNext` plus what flows through h_t:
///
///     dh = dhAbove + dhNext
///     dc = dcNext + dh ⊙ o ⊙ (1 − tanh²(c_t))
///     dc_{t-1} = dc ⊙ f                                        (into dcNext)
///     dz_i = dc ⊙ g ⊙ i(1−i)    dz_f = dc ⊙ c_{t-1} ⊙ f(1−f)
///     dz_g = dc ⊙ i ⊙ (1−g²)    dz_o = dh ⊙ tanh(c_t) ⊙ o(1−o)    (into dz)
///
/// - Returns: the first cell j it did not handle: H rounded down to 8 (0 when H < 8).
@inline(__always)
func lstmCellBackward(
  gates: UnsafePointer<Float>, cPrev: UnsafePointer<Float>, tanhC: UnsafePointer<Float>,
  dhAbove: UnsafePointer<Float>, dhNext: UnsafePointer<Float>, dcNext: UnsafeMutablePointer<Float>,
  dz: UnsafeMutablePointer<Float>, H: Int
) -> Int {
  var j = 0
  while j + 8 <= H {
    let i = load(gates + j), f = load(gates + H + j), g = load(gates + 2 * H + j), o = load(gates + 3 * H + j)
    let th = load(tanhC + j)
    let dh = load(dhAbove + j) + load(dhNext + j)
    let dc = load(dcNext + j) + dh * o * (1 - th * th)
    store(dc * f, dcNext + j)
    store(dc * g * i * (1 - i), dz + j)
    store(dc * load(cPrev + j) * f * (1 - f), dz + H + j)
    store(dc * i * (1 - g * g), dz + 2 * H + j)
    store(dh * th * o * (1 - o), dz + 3 * H + j)
    j += 8
  }
  return j
}

/// The scalar reference of
/// ``lstmCellBackward(gates:cPrev:tanhC:dhAbove:dhNext:dcNext:dz:H:)``, over
/// `cells` (a range in 0..<H): the same operations in the same order, so in
/// Float the two agree bit for bit.
@inline(__always)
func lstmCellBackwardReference<S: LSTMScalar>(
  gates: UnsafePointer<S>, cPrev: UnsafePointer<S>, tanhC: UnsafePointer<S>,
  dhAbove: UnsafePointer<S>, dhNext: UnsafePointer<S>, dcNext: UnsafeMutablePointer<S>,
  dz: UnsafeMutablePointer<S>, H: Int, cells: Range<Int>
) {
  for j in cells {
    let i = gates[j], f = gates[H + j], g = gates[2 * H + j], o = gates[3 * H + j]
    let th = tanhC[j]
    let dh = dhAbove[j] + dhNext[j]
    let dc = dcNext[j] + dh * o * (1 - th * th)
    dcNext[j] = dc * f
    dz[j] = dc * g * i * (1 - i)
    dz[H + j] = dc * cPrev[j] * f * (1 - f)
    dz[2 * H + j] = dc * i * (1 - g * g)
    dz[3 * H + j] = dh * th * o * (1 - o)
  }
}
