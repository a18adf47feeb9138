/// The products of one LSTM layer, each behind a name that says which term of
///
///     z_t = W_ih·x_t + b_ih + W_hh·h_{t-1} + b_hh
///
/// it computes and on which path, so that the passes read like the equations.
/// Letters as in ``LSTMNetwork``: N = T·B positions, G = 4H gate rows.

/// Copies row `tokens[r]` of `table` (V, width) into row r of `rows` (N, width),
/// for r in 0..<N: an embedding lookup, or a one-hot product whose table is
/// W_ihᵀ. Every token must be in 0..<V (the vocabulary guarantees it).
@inline(__always)
func gatherRows<S: LSTMScalar>(
  _ table: UnsafePointer<S>, width: Int, tokens: UnsafePointer<Int32>, count N: Int,
  into rows: UnsafeMutablePointer<S>
) {
  for r in 0..<N { (rows + r * width).update(from: table + Int(tokens[r]) * width, count: width) }
}

/// The adjoint of ``gatherRows(_:width:tokens:count:into:)``: adds row r of
/// `rows` (N, width) into row `tokens[r]` of `table` (V, width), in order of r.
@inline(__always)
func scatterAddRows<S: LSTMScalar>(
  _ rows: UnsafePointer<S>, width: Int, tokens: UnsafePointer<Int32>, count N: Int,
  into table: UnsafeMutablePointer<S>
) {
  for r in 0..<N {
    let target = table + Int(tokens[r]) * width, source = rows + r * width
    for j in 0..<width { target[j] += source[j] }
  }
}

/// Z (N, G) = W_ih·x + b_ih + b_hh for one-hot x at every position: column x of
/// W_ih (G, V) plus both biases. The one-hot rows carry both biases: `table`
/// (V, G) is filled once per pass with W_ihᵀ + b_ih + b_hh, then each position
/// is one row copy, not a product.
@inline(__always)
func gatherOneHotRows<S: LSTMScalar>(
  weightIH: UnsafePointer<S>, biasIH: UnsafePointer<S>, biasHH: UnsafePointer<S>, V: Int, G: Int,
  tokens: UnsafePointer<Int32>, count N: Int, table: UnsafeMutablePointer<S>,
  into Z: UnsafeMutablePointer<S>
) {
  for j in 0..<G {
    let bias = biasIH[j] + biasHH[j]
    for v in 0..<V { table[v * G + j] = bias + weightIH[j * V + v] }
  }
  gatherRows(table, width: G, tokens: tokens, count: N, into: Z)
}

/// The adjoint of ``gatherOneHotRows(weightIH:biasIH:biasHH:V:G:tokens:count:table:into:)``
/// for the weights: dW_ih (G, V) column x += the rows of dZ (N, G) where x was
/// read. Accumulates contiguous rows of dW_ihᵀ in `table` (V, G, overwritten),
/// then adds them transposed. The biases' gradient is the caller's.
@inline(__always)
func scatterOneHotRows<S: LSTMScalar>(
  _ dZ: UnsafePointer<S>, tokens: UnsafePointer<Int32>, count N: Int, V: Int, G: Int,
  table: UnsafeMutablePointer<S>, into dWeightIH: UnsafeMutablePointer<S>
) {
  table.update(repeating: 0, count: V * G)
  scatterAddRows(dZ, width: G, tokens: tokens, count: N, into: table)
  for j in 0..<G {
    for v in 0..<V { dWeightIH[j * V + v] += table[v * G + j] }
  }
}

/// Z (N, G) = X (N, D) · W_ihᵀ + b_ih + b_hh for every position at once, with
/// W_ih (G, D): the input half of z for an embedded or dense input.
@inline(__always)
func inputProduct<S: LSTMScalar>(
  _ X: UnsafePointer<S>, weightIH: UnsafePointer<S>, biasIH: UnsafePointer<S>, biasHH: UnsafePointer<S>,
  count N: Int, D: Int, G: Int, into Z: UnsafeMutablePointer<S>, products: Products<S>
) {
  for j in 0..<G { Z[j] = biasIH[j] + biasHH[j] }
  for r in 1..<Swift.max(N, 1) { (Z + r * G).update(from: Z, count: G) }
  products.gemm(
    transA: false, transB: true, m: N, n: G, k: D, a: X, lda: D, b: weightIH, ldb: D, beta: 1, c: Z, ldc: G)
}

/// The scratch of a workspace's bf16 products: the row operand, a weight packed
/// for one product, and the W_hh of the layer whose time loop is running,
/// packed once per pass (forward as W_hhᵀ, backward as W_hh); and, for a network
/// whose weights are fixed (``LSTMNetwork/weightsAreFixed``), every weight of
/// the forward pass packed once for all passes.
final class BF16Scratch: @unchecked Sendable {
  let rows = BF16Rows()
  let weight = BF16Matrix()
  let recurrent = BF16Matrix()
  private var fixed: [FixedWeight: BF16Matrix] = [:]

  private struct FixedWeight: Hashable {
    let address: Int, ldb: Int, k: Int, n: Int, transposed: Bool
  }

  /// b, read as (k, n) (stored as for ``BF16Matrix/pack(_:ldb:k:n:transposed:)``), packed: into
  /// `scratch` when not `fixed`, else from (or into) the fixed weights kept for all passes.
  func packed(
    _ b: UnsafePointer<Float>, ldb: Int, k: Int, n: Int, transposed: Bool, into scratch: BF16Matrix,
    fixed isFixed: Bool
  ) -> BF16Matrix {
    guard isFixed else {
      scratch.pack(b, ldb: ldb, k: k, n: n, transposed: transposed)
      return scratch
    }
    let key = FixedWeight(address: Int(bitPattern: b), ldb: ldb, k: k, n: n, transposed: transposed)
    if let matrix = fixed[key] { return matrix }
    let matrix = BF16Matrix()
    matrix.pack(b, ldb: ldb, k: k, n: n, transposed: transposed)
    fixed[key] = matrix
    return matrix
  }
}

/// The matrix products of one pass in the network's ``Precision``: BLAS gemm in
/// fp32 (`bf16` nil), or both operands rounded to bf16 with fp32 sums.
struct Products<S: LSTMScalar> {
  let bf16: BF16Scratch?
  /// Whether operand b of every product is a weight that never changes (a forward
  /// pass of a network whose ``LSTMNetwork/weightsAreFixed``): bf16 packs it once.
  var fixedWeights = false

  /// C ← op(A) · op(B) + beta · C, shapes and strides as in
  /// ``LSTMScalar/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``; beta 0 or 1.
  @inline(__always)
  func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<S>, lda: Int,
    b: UnsafePointer<S>, ldb: Int, beta: S, c: UnsafeMutablePointer<S>, ldc: Int
  ) {
    guard let bf16 else {
      S.gemm(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb,
        beta: beta, c: c, ldc: ldc)
      return
    }
    guard m > 0, n > 0 else { return }
    bf16.weight.pack(constFloats(b), ldb: ldb, k: k, n: n, transposed: transB)
    bf16.rows.pack(constFloats(a), lda: lda, m: m, k: k, transposed: transA)
    bf16.weight.multiply(
      rows: bf16.rows, c: floats(c), ldc: ldc, beta: Float(beta))
  }
}

/// The recurrent product of one layer at one step, on the fastest path here:
/// bf16 (``BF16Matrix``, when the pass's ``Products`` are bf16), the packed fp32
/// kernel (``PackedMatrix``: Float, B ≥ 4, a CPU that runs it) or the generic
/// ``LSTMScalar/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
/// The fp32 paths compute the same sums; only the rounding order differs.
///
/// Made once per layer per pass, which packs W_hh (the weights change between
/// steps), then applied at each of the T steps.
struct RecurrentProduct<S: LSTMScalar> {
  let weightHH: UnsafeMutablePointer<S>  // (G, H)
  let H: Int
  let packed: PackedMatrix?  // W_hhᵀ (H, G) forward, W_hh (G, H) backward; nil: gemm
  let bf16: (scratch: BF16Scratch, weight: BF16Matrix)?  // W_hh packed as `packed` would be; nil: fp32

  /// For the forward pass: `packed` (nil, or room for (H, G) when S is Float) receives W_hhᵀ.
  static func forward(
    weightHH: UnsafeMutablePointer<S>, H: Int, packed: PackedMatrix?, products: Products<S>
  ) -> Self {
    if let bf16 = products.bf16 {
      let weight = bf16.packed(
        floats(weightHH), ldb: H, k: H, n: 4 * H, transposed: true, into: bf16.recurrent,
        fixed: products.fixedWeights)
      return Self(weightHH: weightHH, H: H, packed: nil, bf16: (bf16, weight))
    }
    packed?.pack(floats(weightHH), ldb: H, transposed: true)
    return Self(weightHH: weightHH, H: H, packed: packed, bf16: nil)
  }

  /// For the backward pass: `packed` (nil, or room for (G, H) when S is Float) receives W_hh.
  static func backward(
    weightHH: UnsafeMutablePointer<S>, H: Int, packed: PackedMatrix?, products: Products<S>
  ) -> Self {
    if let bf16 = products.bf16 {
      bf16.recurrent.pack(floats(weightHH), ldb: H, k: 4 * H, n: H, transposed: false)
      return Self(weightHH: weightHH, H: H, packed: nil, bf16: (bf16, bf16.recurrent))
    }
    packed?.pack(floats(weightHH), ldb: H, transposed: false)
    return Self(weightHH: weightHH, H: H, packed: packed, bf16: nil)
  }

  /// z (B, G) += h_{t-1} (B, H) · W_hhᵀ: the term W_hh·h_{t-1} of every row's z_t.
  @inline(__always)
  func accumulate(h: UnsafeMutablePointer<S>, rows B: Int, into z: UnsafeMutablePointer<S>) {
    let G = 4 * H
    if let bf16 {
      bf16.scratch.rows.pack(floats(h), lda: H, m: B, k: H, transposed: false)
      bf16.weight.multiply(rows: bf16.scratch.rows, c: floats(z), ldc: G, beta: 1)
    } else if let packed {
      packed.multiply(m: B, a: floats(h), lda: H, c: floats(z), ldc: G, beta: 1)
    } else {
      S.gemm(
        transA: false, transB: true, m: B, n: G, k: H, alpha: 1, a: h, lda: H, b: weightHH, ldb: H,
        beta: 1, c: z, ldc: G)
    }
  }

  /// dh (B, H) = dz (B, G) · W_hh: the gradient reaching h_{t-1} through z_t (overwrites dh).
  @inline(__always)
  func propagate(dz: UnsafeMutablePointer<S>, rows B: Int, into dh: UnsafeMutablePointer<S>) {
    let G = 4 * H
    if let bf16 {
      bf16.scratch.rows.pack(floats(dz), lda: G, m: B, k: G, transposed: false)
      bf16.weight.multiply(rows: bf16.scratch.rows, c: floats(dh), ldc: H, beta: 0)
    } else if let packed {
      packed.multiply(m: B, a: floats(dz), lda: G, c: floats(dh), ldc: H, beta: 0)
    } else {
      S.gemm(
        transA: false, transB: false, m: B, n: H, k: G, alpha: 1, a: dz, lda: G, b: weightHH, ldb: H,
        beta: 0, c: dh, ldc: H)
    }
  }
}

/// The buffer as Float, for the Float-only kernels (used only when S is Float).
@inline(__always)
func floats<S: LSTMScalar>(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
  UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always)
func constFloats<S: LSTMScalar>(_ p: UnsafePointer<S>) -> UnsafePointer<Float> {
  UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}
