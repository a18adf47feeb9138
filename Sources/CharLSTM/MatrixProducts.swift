import CBLAS
import Foundation
import Synchronization

/// The scalar types the LSTM runs in: `Float` for training and reports, `Double`
/// for gradient checks against finite differences.
///
/// This is the only file that imports CBLAS. All matrices are row-major. The
/// requirements are BLAS's own entry points for the scalar; the network calls
/// the one generic wrapper ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
/// above them. Their argument names (m, n, k, a, b, c, x, y, lda...) are BLAS's
/// and mean only that inside these functions.
public protocol LSTMScalar: BinaryFloatingPoint, Sendable, CustomStringConvertible {
  /// BLAS gemm (sgemm or dgemm): c ← alpha · op(a) · op(b) + beta · c, shapes as
  /// in ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``; call that instead.
  static func blasGemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
  /// BLAS gemv (sgemv or dgemv): y ← alpha · op(a) · x + beta · y for `a` stored
  /// (rows, columns) with row stride `lda`; x and y strided by `incx`, `incy`.
  static func blasGemv(
    trans: Bool, rows: Int, columns: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
    x: UnsafePointer<Self>, incx: Int, beta: Self, y: UnsafeMutablePointer<Self>, incy: Int)
  static func exp(_ x: Self) -> Self
  static func log(_ x: Self) -> Self
  static func tanh(_ x: Self) -> Self
}

extension LSTMScalar {
  /// C ← alpha · op(A) · op(B) + beta · C, with op(X) = X or Xᵀ: the one matrix
  /// product of the package, for Float and Double alike.
  ///
  /// op(A) is (m, k), op(B) is (k, n), C is (m, n); `lda`, `ldb`, `ldc` are the
  /// row strides of A, B and C as stored (before transposition). Nothing happens
  /// when m or n is 0; k = 0 scales C by beta. A single row or column of output
  /// from a large enough matrix goes to gemv (see ``vectorProductMinimum``).
  @inline(__always)
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    if (m == 1 || n == 1) && k > 0 && Swift.max(m, n) * k >= vectorProductMinimum {
      vectorProduct(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
        beta: beta, c: c, ldc: ldc)
      return
    }
    blasGemm(
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
      beta: beta, c: c, ldc: ldc)
  }

  /// A product with one row or one column of output as a matrix-vector product.
  ///
  /// Why: OpenBLAS 0.3.21's gemm packs the whole matrix operand on every call, also
  /// for a single row, which made a batch-1 step (exact recording, sampling,
  /// scoring) 5x slower than gemv at H = 512 (299 µs against 61 µs on one thread).
  @inline(__always)
  static func vectorProduct(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int
  ) {
    if m == 1 {
      // The row c (1, n) = a (1, k) · op(b) (k, n) = op(b)ᵀ · a.
      if beta == 0 { c.update(repeating: 0, count: n) }
      let incx = transA ? lda : 1
      if transB {  // b stored (n, k)
        blasGemv(
          trans: false, rows: n, columns: k, alpha: alpha, a: b, lda: ldb, x: a, incx: incx, beta: beta,
          y: c, incy: 1)
      } else {  // b stored (k, n)
        blasGemv(
          trans: true, rows: k, columns: n, alpha: alpha, a: b, lda: ldb, x: a, incx: incx, beta: beta,
          y: c, incy: 1)
      }
    } else {
      // The column c (m, 1) = op(a) (m, k) · op(b) (k, 1).
      if beta == 0 { for row in 0..<m { c[row * ldc] = 0 } }
      let incx = transB ? 1 : ldb
      if transA {  // a stored (k, m)
        blasGemv(
          trans: true, rows: k, columns: m, alpha: alpha, a: a, lda: lda, x: b, incx: incx, beta: beta,
          y: c, incy: ldc)
      } else {  // a stored (m, k)
        blasGemv(
          trans: false, rows: m, columns: k, alpha: alpha, a: a, lda: lda, x: b, incx: incx, beta: beta,
          y: c, incy: ldc)
      }
    }
  }
}

@inline(__always)
private func blasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: LSTMScalar {
  @inline(__always)
  public static func blasGemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, blasTranspose(transA), blasTranspose(transB), Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
  @inline(__always)
  public static func blasGemv(
    trans: Bool, rows: Int, columns: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int
  ) {
    cblas_sgemv(
      CblasRowMajor, blasTranspose(trans), Int32(rows), Int32(columns), alpha, a, Int32(lda), x,
      Int32(incx), beta, y, Int32(incy))
  }
  @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
  @inline(__always) public static func log(_ x: Float) -> Float { Foundation.log(x) }
  @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
}

extension Double: LSTMScalar {
  @inline(__always)
  public static func blasGemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, blasTranspose(transA), blasTranspose(transB), Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
  @inline(__always)
  public static func blasGemv(
    trans: Bool, rows: Int, columns: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    x: UnsafePointer<Double>, incx: Int, beta: Double, y: UnsafeMutablePointer<Double>, incy: Int
  ) {
    cblas_dgemv(
      CblasRowMajor, blasTranspose(trans), Int32(rows), Int32(columns), alpha, a, Int32(lda), x,
      Int32(incx), beta, y, Int32(incy))
  }
  @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
  @inline(__always) public static func log(_ x: Double) -> Double { Foundation.log(x) }
  @inline(__always) public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
}

/// The matrix size (elements) from which a single-row or single-column product
/// goes to gemv: below it, gemv's thread hand-off costs more than gemm's packing
/// (batch-1 recording at H = 128 ran at 62k chars/s through gemv, 71k-87k
/// through gemm; at H = 256, 25k against 22k; at H = 512, 9.8k against 2.9k).
let vectorProductMinimum = 1 << 18

/// The naive triple loop that `gemm` must agree with: the algorithmic reference
/// for tests, with the same argument conventions.
public func naiveGemm<S: LSTMScalar>(
  transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
  alpha: S, a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
  beta: S, c: UnsafeMutablePointer<S>, ldc: Int
) {
  for row in 0..<m {
    for column in 0..<n {
      var sum: S = 0
      for inner in 0..<k {
        let aik = transA ? a[inner * lda + row] : a[row * lda + inner]
        let bkj = transB ? b[column * ldb + inner] : b[inner * ldb + column]
        sum += aik * bkj
      }
      c[row * ldc + column] = alpha * sum + (beta == 0 ? 0 : beta * c[row * ldc + column])
    }
  }
}

/// The thread count the user chose, and how many single-threaded sections
/// (``withSingleThreadedProducts(_:)``) are running; OpenBLAS's own setting is
/// process-wide, so both change only under this lock.
private let threadSettings = Mutex((chosen: 0, singleThreaded: 0))

/// Sets the number of threads OpenBLAS may use (0 leaves its default).
public func setMatrixThreads(_ threads: Int) {
  guard threads > 0 else { return }
  threadSettings.withLock {
    $0.chosen = threads
    if $0.singleThreaded == 0 { openblas_set_num_threads(Int32(threads)) }
  }
}

/// The number of threads the products may use, as set (OpenBLAS's default if never set).
public var matrixThreads: Int {
  threadSettings.withLock { $0.chosen > 0 ? $0.chosen : Int(openblas_get_num_threads()) }
}

/// Runs `body` with OpenBLAS held to one thread (the caller runs its own threads),
/// then restores the chosen count once no such section is left running.
public func withSingleThreadedProducts<R>(_ body: () throws -> R) rethrows -> R {
  threadSettings.withLock {
    if $0.chosen == 0 { $0.chosen = Int(openblas_get_num_threads()) }
    if $0.singleThreaded == 0 { openblas_set_num_threads(1) }
    $0.singleThreaded += 1
  }
  defer {
    threadSettings.withLock {
      $0.singleThreaded -= 1
      if $0.singleThreaded == 0 { openblas_set_num_threads(Int32($0.chosen)) }
    }
  }
  return try body()
}
