import CBLAS
import Foundation
import Synchronization

/// The scalar types the LSTM runs in: `Float` for training and reports, `Double`
/// for gradient checks against finite differences.
///
/// This is the only file that imports CBLAS. All matrices are row-major.
public protocol LSTMScalar: BinaryFloatingPoint, Sendable, CustomStringConvertible {
  /// C ← alpha · op(A) · op(B) + beta · C, with op(X) = X or Xᵀ.
  ///
  /// op(A) is (m, k), op(B) is (k, n), C is (m, n); `lda`, `ldb`, `ldc` are the
  /// row strides of A, B and C as stored (before transposition).
  static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
  static func exp(_ x: Self) -> Self
  static func log(_ x: Self) -> Self
  static func tanh(_ x: Self) -> Self
}

@inline(__always)
private func blasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: LSTMScalar {
  @inline(__always)
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    if (m == 1 || n == 1) && k > 0 && max(m, n) * k >= vectorProductMinimum {
      vectorProduct(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
        beta: beta, c: c, ldc: ldc
      ) { trans, rows, cols, alpha, mat, ld, x, incx, beta, y, incy in
        cblas_sgemv(
          CblasRowMajor, blasTranspose(trans), Int32(rows), Int32(cols), alpha, mat, Int32(ld), x,
          Int32(incx),
          beta, y, Int32(incy))
      }
      return
    }
    cblas_sgemm(
      CblasRowMajor, blasTranspose(transA), blasTranspose(transB), Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
  @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
  @inline(__always) public static func log(_ x: Float) -> Float { Foundation.log(x) }
  @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
}

extension Double: LSTMScalar {
  @inline(__always)
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    if (m == 1 || n == 1) && k > 0 && max(m, n) * k >= vectorProductMinimum {
      vectorProduct(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
        beta: beta, c: c, ldc: ldc
      ) { trans, rows, cols, alpha, mat, ld, x, incx, beta, y, incy in
        cblas_dgemv(
          CblasRowMajor, blasTranspose(trans), Int32(rows), Int32(cols), alpha, mat, Int32(ld), x,
          Int32(incx),
          beta, y, Int32(incy))
      }
      return
    }
    cblas_dgemm(
      CblasRowMajor, blasTranspose(transA), blasTranspose(transB), Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
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

/// A product with one row or one column of output as a matrix-vector product.
///
/// Why: OpenBLAS 0.3.21's gemm packs the whole matrix operand on every call, also
/// for a single row, which made a batch-1 step (exact recording, sampling,
/// scoring) 5x slower than gemv at H = 512 (299 µs against 61 µs on one thread).
/// `gemv(trans, rows, cols, alpha, M, ld, x, incx, beta, y, incy)` computes
/// y ← alpha · op(M) · x + beta · y for M stored (rows, cols) row-major.
@inline(__always)
private func vectorProduct<S: LSTMScalar>(
  transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
  alpha: S, a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
  beta: S, c: UnsafeMutablePointer<S>, ldc: Int,
  gemv: (Bool, Int, Int, S, UnsafePointer<S>, Int, UnsafePointer<S>, Int, S, UnsafeMutablePointer<S>, Int) ->
    Void
) {
  if m == 1 {
    // The row c (1, n) = a (1, k) · op(B) (k, n) = op(B)ᵀ · a.
    if beta == 0 { c.update(repeating: 0, count: n) }
    let incx = transA ? lda : 1
    if transB {
      gemv(false, n, k, alpha, b, ldb, a, incx, beta, c, 1)  // B stored (n, k)
    } else {
      gemv(true, k, n, alpha, b, ldb, a, incx, beta, c, 1)  // B stored (k, n)
    }
  } else {
    // The column c (m, 1) = op(A) (m, k) · op(B) (k, 1).
    if beta == 0 { for i in 0..<m { c[i * ldc] = 0 } }
    let incx = transB ? 1 : ldb
    if transA {
      gemv(true, k, m, alpha, a, lda, b, incx, beta, c, ldc)  // A stored (k, m)
    } else {
      gemv(false, m, k, alpha, a, lda, b, incx, beta, c, ldc)  // A stored (m, k)
    }
  }
}

/// The naive triple loop that `gemm` must agree with: the algorithmic reference
/// for tests, with the same argument conventions.
public func naiveGemm<S: LSTMScalar>(
  transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
  alpha: S, a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
  beta: S, c: UnsafeMutablePointer<S>, ldc: Int
) {
  for i in 0..<m {
    for j in 0..<n {
      var sum: S = 0
      for p in 0..<k {
        let aip = transA ? a[p * lda + i] : a[i * lda + p]
        let bpj = transB ? b[j * ldb + p] : b[p * ldb + j]
        sum += aip * bpj
      }
      c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j])
    }
  }
}

/// The thread count the user chose, and how many single-threaded sections
/// (``withSingleThreadedProducts(_:)``) are running; OpenBLAS's own setting is
/// process-wide, so both change only under this lock.
private let threadSettings = Mutex((chosen: 0, singleThreaded: 0))

/// Sets the number of threads OpenBLAS may use (0 leaves its default).
public func setMatrixThreads(_ n: Int) {
  guard n > 0 else { return }
  threadSettings.withLock {
    $0.chosen = n
    if $0.singleThreaded == 0 { openblas_set_num_threads(Int32(n)) }
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
