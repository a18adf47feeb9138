/// Vectorised exp, sigmoid and tanh for the LSTM's gates (Float only).
///
/// exp uses Cody–Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, and Cephes'
/// degree-6 polynomial for e^r, then scales by 2^n through the exponent bits;
/// inputs are clamped to [-87.3, 88.3] so 2^n stays a normal float. Against
/// Foundation, over [-20, 20]: sigmoid and tanh agree within 4e-7 absolute
/// (`FastActivationsTests` measures it). The `Double` path (gradient checks)
/// uses libm.
@inline(__always)
func fastExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
  // Plain lane-wise arithmetic only: the generic SIMD conversions and rounding
  // (Int32(Float), .rounded) compile to per-lane calls and cost more than libm.
  let x = x.replacing(with: 88.3, where: x .> 88.3).replacing(with: -87.3, where: x .< -87.3)
  // n = round(x / ln 2) by the 1.5·2^23 trick: adding it leaves n in the low mantissa bits.
  let magic = SIMD8<Float>(repeating: 12_582_912)
  let shifted = x * 1.442_695_04 + magic
  let n = shifted - magic
  let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
  var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
  p = p * r + 1.398_199_95e-3
  p = p * r + 8.333_451_907e-3
  p = p * r + 4.166_579_589e-2
  p = p * r + 1.666_666_546e-1
  p = p * r + 5.000_000_12e-1
  let e = p * (r * r) + r + 1
  // 2^n: the integer n sits in the low bits of `shifted`; move it into the exponent field.
  let bits = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
  return e * unsafeBitCast(bits, to: SIMD8<Float>.self)
}

@inline(__always)
func fastSigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + fastExp(-x)) }

/// tanh(x) = 1 − 2 / (e^{2x} + 1): absolute error stays at float rounding.
@inline(__always)
func fastTanh(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 - 2 / (fastExp(2 * x) + 1) }

/// Public wrappers, for tests and the benchmark's accuracy report.
public enum FastActivations {
  public static func sigmoid(_ x: Float) -> Float { fastSigmoid(SIMD8(repeating: x))[0] }
  public static func tanh(_ x: Float) -> Float { fastTanh(SIMD8(repeating: x))[0] }
  public static func exp(_ x: Float) -> Float { fastExp(SIMD8(repeating: x))[0] }
}

/// One LSTM step's nonlinearities for one batch row, 8 cells at a time:
/// z (4H) pre-activations → gates in place; c_t, tanh(c_t), h_t from c_{t-1}.
/// Returns the first cell index it did not handle (H rounded down to 8).
@inline(__always)
func lstmPointwiseFloat(
  z: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>, cNext: UnsafeMutablePointer<Float>,
  tanhC: UnsafeMutablePointer<Float>, hNext: UnsafeMutablePointer<Float>, H: Int
) -> Int {
  var j = 0
  while j + 8 <= H {
    func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
      UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
    func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
      UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
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

/// The same step backwards for one batch row, 8 cells at a time: from the
/// gradient at h_t (from above, `dhAbove`, plus from t+1, `dhNext`) and at c_t
/// (`dcNext`), the gradient at the gate pre-activations (into `dz`) and at
/// c_{t-1} (into `dcNext`). Returns the first cell index it did not handle.
@inline(__always)
func lstmPointwiseBackwardFloat(
  gates: UnsafePointer<Float>, cPrev: UnsafePointer<Float>, tanhC: UnsafePointer<Float>,
  dhAbove: UnsafePointer<Float>, dhNext: UnsafePointer<Float>, dcNext: UnsafeMutablePointer<Float>,
  dz: UnsafeMutablePointer<Float>, H: Int
) -> Int {
  func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }
  func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
  }
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
