import CPackedKernels

/// A weight matrix packed once for many products `c += a · b` whose a has only
/// a few rows: the recurrent products, which read the same W_hh at every time
/// step. The only file that imports CPackedKernels.
///
/// Why: OpenBLAS repacks the weight operand on every call and its kernel is tuned for large
/// products; at a shard's 16 to 50 rows the packed AVX-512 kernel runs 1.3x to
/// 1.8x faster (one thread, H = 512: 107-112 GFLOP/s against 63-90). Used only
/// where ``PackedMatrix/isSupported`` (x86-64 with AVX-512); elsewhere the
/// network calls BLAS as before. `naiveGemm` is its reference in the tests.
public final class PackedMatrix: @unchecked Sendable {
  /// Whether this CPU runs the packed kernel.
  public static let isSupported = cs_packed_supported() != 0
  /// The fewest rows for which the network uses it: below, gemm or gemv
  /// (batch 1 runs through multithreaded gemv) is as fast.
  static let minimumRows = 4

  /// The packed matrix is (k, n), gemm's names: the products' inner dimension and output columns.
  public let k: Int, n: Int
  let storage: UnsafeMutablePointer<Float>  // panels of 32 columns, (⌈n/32⌉, k, 32)

  /// Room for a (k, n) matrix.
  public init(k: Int, n: Int) {
    self.k = k
    self.n = n
    let count = Int(cs_packed_count(Int32(k), Int32(n)))
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
    storage = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    storage.initialize(repeating: 0, count: max(count, 1))
  }

  deinit { storage.deallocate() }

  /// Packs b, read as (k, n): stored (k, n) with row stride `ldb`, or, when
  /// `transposed`, stored (n, k) (W_hh, (G, H), read as W_hhᵀ by the forward pass).
  public func pack(_ b: UnsafePointer<Float>, ldb: Int, transposed: Bool) {
    cs_pack(b, Int32(ldb), Int32(k), Int32(n), transposed ? 1 : 0, storage)
  }

  /// c (m, n) ← a (m, k) · b + beta · c, with b the packed matrix, beta 0 or 1;
  /// on the calling thread only. Nothing happens when m is 0.
  public func multiply(
    m: Int, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float
  ) {
    precondition(Self.isSupported && (beta == 0 || beta == 1))
    guard m > 0 else { return }
    if beta == 0 {
      for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) }
    }
    cs_packed_product(Int32(m), Int32(n), Int32(k), a, Int32(lda), storage, c, Int32(ldc))
  }
}
