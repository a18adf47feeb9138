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

/// How a network's matrix products round their operands (issue 15).
public enum Precision: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
  /// Every product in fp32 (BLAS or the packed fp32 kernel): the reference.
  case fp32
  /// Both operands of every matrix product rounded to bf16 (to nearest, ties to
  /// even) and the sums kept in fp32; weights, states, gates, the loss and the
  /// optimizer stay fp32. Runs only where ``bf16Supported``.
  case bf16

  /// Whether this CPU has AVX512-BF16, which the bf16 products need.
  public static var bf16Supported: Bool { BF16Matrix.isSupported }

  public var description: String { rawValue }
}

/// A matrix rounded to bf16 and packed for ``BF16Rows`` · this matrix: the
/// weight operand of a bf16 product, (k, n) in gemm's names. Grows when asked
/// for a larger shape, so that one scratch serves products of several shapes.
public final class BF16Matrix: @unchecked Sendable {
  /// Whether this CPU runs the bf16 kernel (AVX-512 with AVX512-BF16).
  public static let isSupported = cs_bf16_supported() != 0

  public private(set) var k = 0, n = 0
  private let storage = GrowingStorage<UInt16>()  // (⌈n/32⌉, ⌈k/2⌉, 32, 2)

  public init() {}

  /// Rounds b, read as (k, n), to bf16 and packs it: stored (k, n) with row stride
  /// `ldb`, or, when `transposed`, stored (n, k).
  public func pack(_ b: UnsafePointer<Float>, ldb: Int, k: Int, n: Int, transposed: Bool) {
    let packed = storage.reserve(Int(cs_bf16_packed_count(Int32(k), Int32(n))))
    self.k = k
    self.n = n
    cs_bf16_pack(b, Int32(ldb), Int32(k), Int32(n), transposed ? 1 : 0, packed)
  }

  /// c (m, n) ← a · b + beta · c, with a the (m, k) rows in `rows`, beta 0 or 1;
  /// on the calling thread only. Nothing happens when m is 0.
  ///
  /// Why one thread, also for a batch-1 step, which is bound by reading the weight:
  /// splitting its columns across two threads through Dispatch cost more than it
  /// saved (exact recording at 2 x 512: 6,607 and 7,344 chars/s split, 8,620 and
  /// 8,594 on one thread), and in the analysis the other core runs the statistics.
  public func multiply(rows: BF16Rows, c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
    precondition(Self.isSupported && (beta == 0 || beta == 1) && rows.k == k)
    let m = rows.m
    guard m > 0, n > 0 else { return }
    if beta == 0 {
      for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) }
    }
    cs_bf16_product(Int32(m), Int32(n), Int32(k), rows.pairs, storage.base, c, Int32(ldc))
  }
}

/// The row operand of a bf16 product, (m, k) in gemm's names, rounded to bf16
/// in k-pairs. Grows when asked for a larger shape.
public final class BF16Rows: @unchecked Sendable {
  public private(set) var m = 0, k = 0
  private let storage = GrowingStorage<UInt32>()  // (m, ⌈k/2⌉)
  fileprivate var pairs: UnsafePointer<UInt32> { storage.base }

  public init() {}

  /// Rounds a, read as (m, k), to bf16: stored (m, k) with row stride `lda`, or,
  /// when `transposed`, stored (k, m).
  public func pack(_ a: UnsafePointer<Float>, lda: Int, m: Int, k: Int, transposed: Bool) {
    let pairs = storage.reserve(m * ((k + 1) / 2))
    self.m = m
    self.k = k
    cs_bf16_pack_rows(a, Int32(lda), Int32(m), Int32(k), transposed ? 1 : 0, pairs)
  }
}

/// Scratch memory that only grows: reused by products of several shapes.
private final class GrowingStorage<Element> {
  private var storage = UnsafeMutablePointer<Element>.allocate(capacity: 1)
  private var capacity = 1

  deinit { storage.deallocate() }

  var base: UnsafePointer<Element> { UnsafePointer(storage) }

  /// Room for at least `count` elements (contents undefined after growing).
  func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
    if count > capacity {
      storage.deallocate()
      storage = .allocate(capacity: count)
      capacity = count
    }
    return storage
  }
}

/// x rounded to bf16 and back to Float, as the bf16 products round their operands.
public func roundedToBF16(_ x: Float) -> Float {
  Float(bitPattern: UInt32(cs_bf16_round(x)) << 16)
}
