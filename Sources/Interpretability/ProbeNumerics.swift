// The numerics under the probes (Probes.swift): a dense Cholesky factorisation and solve, a small
// L2-penalised logistic regression by Newton's method, the held-out scores (AUC with ties, Pearson r),
// and the contiguous-block split shared with the cell descriptions. Everything is in Double and
// deterministic: plain loops in a fixed order, no threads.

import Foundation

/// Splits positions 0..<n into a fit part and a held-out part by alternating contiguous blocks:
/// block b = [b·blockSize, (b+1)·blockSize) is held out when b is odd, fitted when b is even.
///
/// Why blocks: neighbouring positions of a text are strongly correlated (a cell's value and a feature
/// change slowly), so an interleaved split (even / odd positions) would let the fit part see almost
/// the same examples as the held-out part and overstate held-out scores.
public struct BlockSplit: Sendable, Codable, Equatable {
  /// Positions per block, at least 1.
  public var blockSize: Int
  public init(blockSize: Int) { self.blockSize = max(1, blockSize) }
  /// Whether position `i` (0-based, in sample order) belongs to the held-out part.
  public func isHeldOut(_ i: Int) -> Bool { (i / blockSize) % 2 == 1 }
}

enum ProbeNumerics {
  /// In-place Cholesky factorisation of the symmetric positive-definite (n, n) row-major matrix `a`:
  /// on return its lower triangle holds L with a = L·Lᵀ (the upper triangle is left as it was).
  /// Returns false if a pivot is not positive (the matrix is not positive definite).
  static func cholesky(_ a: inout [Double], n: Int) -> Bool {
    a.withUnsafeMutableBufferPointer { m in
      for j in 0..<n {
        // Dot-product form: row j of L against itself, then against every later row (contiguous).
        let rowJ = UnsafePointer(m.baseAddress! + j * n)
        let d = m[j * n + j] - dot(rowJ, rowJ, count: j)
        guard d > 0, d.isFinite else { return false }
        let ljj = d.squareRoot()
        m[j * n + j] = ljj
        for i in (j + 1)..<max(j + 1, n) {
          let s = m[i * n + j] - dot(UnsafePointer(m.baseAddress! + i * n), rowJ, count: j)
          m[i * n + j] = s / ljj
        }
      }
      return true
    }
  }

  /// Σ a[p]·b[p] for p < count, in four SIMD lanes (a fixed order, so the result is reproducible):
  /// the scalar loop would be bound by the latency of one addition per term.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
    var acc0 = SIMD4<Double>(), acc1 = SIMD4<Double>()
    var p = 0
    let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
    while p + 8 <= count {
      acc0 +=
        rawA.loadUnaligned(fromByteOffset: p * 8, as: SIMD4<Double>.self)
        * rawB.loadUnaligned(fromByteOffset: p * 8, as: SIMD4<Double>.self)
      acc1 +=
        rawA.loadUnaligned(fromByteOffset: (p + 4) * 8, as: SIMD4<Double>.self)
        * rawB.loadUnaligned(fromByteOffset: (p + 4) * 8, as: SIMD4<Double>.self)
      p += 8
    }
    var sum = (acc0 + acc1).sum()
    while p < count {
      sum += a[p] * b[p]
      p += 1
    }
    return sum
  }

  /// Solves (L·Lᵀ) x = b in place, L the lower triangle of the (n, n) factor from `cholesky`.
  static func choleskySolve(_ l: [Double], n: Int, _ b: inout [Double]) {
    l.withUnsafeBufferPointer { m in
      b.withUnsafeMutableBufferPointer { v in
        for i in 0..<n {  // L y = b
          let s = v[i] - dot(m.baseAddress! + i * n, UnsafePointer(v.baseAddress!), count: i)
          v[i] = s / m[i * n + i]
        }
      }
      // Lᵀ x = y column by column, so that each step reads a row of L (contiguous), not a column.
      for i in stride(from: n - 1, through: 0, by: -1) {
        let x = b[i] / m[i * n + i]
        b[i] = x
        for p in 0..<i { b[p] -= m[i * n + p] * x }
      }
    }
  }

  static func sigmoid(_ t: Double) -> Double { t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)) }

  /// L2-penalised logistic regression by Newton's method on a small dense design.
  ///
  /// - x: (n, k) row-major, columns already standardised; y: (n) in {0, 1}.
  /// - Minimises −Σ log-likelihood + ½·penalty·‖w‖² (the intercept is not penalised).
  /// - Starts from `start` (k weights, then the intercept) when given, so a greedy step that adds a
  ///   column converges in a few iterations. At most 30 iterations; stops when no coefficient moves
  ///   more than 1e-7.
  /// Returns the k weights then the intercept, and the penalised objective (lower is better).
  static func logistic(
    x: [Double], n: Int, k: Int, y: [Double], penalty: Double, start: [Double]? = nil
  ) -> (coefficients: [Double], objective: Double) {
    let m = k + 1
    var beta = start ?? [Double](repeating: 0, count: m)
    if start == nil {
      let rate = min(max(y.reduce(0, +) / Double(max(n, 1)), 1e-6), 1 - 1e-6)
      beta[k] = log(rate / (1 - rate))
    }
    // Raw pointers in the loops over the n samples (the Newton steps' whole cost): the same
    // operations in the same order as indexing the arrays, without their checks.
    return x.withUnsafeBufferPointer { xs in
      y.withUnsafeBufferPointer { ys in
        let x = xs.baseAddress!, y = ys.baseAddress!
        func objective(_ b: [Double]) -> Double {
          b.withUnsafeBufferPointer { bs in
            let b = bs.baseAddress!
            var total = 0.0
            for i in 0..<n {
              var t = b[k]
              for j in 0..<k { t += x[i * k + j] * b[j] }
              // −log σ(t) if y = 1, −log(1 − σ(t)) if y = 0, computed without overflow.
              let u = y[i] > 0.5 ? -t : t
              total += u > 0 ? u + log1p(exp(-u)) : log1p(exp(u))
            }
            for j in 0..<k { total += 0.5 * penalty * b[j] * b[j] }
            return total
          }
        }
        var current = objective(beta)
        var gradient = [Double](repeating: 0, count: m)
        var hessian = [Double](repeating: 0, count: m * m)
        var row = [Double](repeating: 1, count: m)
        for _ in 0..<30 {
          for a in 0..<m { gradient[a] = 0 }
          for a in 0..<(m * m) { hessian[a] = 0 }
          beta.withUnsafeBufferPointer { bs in
            gradient.withUnsafeMutableBufferPointer { gs in
              hessian.withUnsafeMutableBufferPointer { hs in
                row.withUnsafeMutableBufferPointer { rs in
                  let beta = bs.baseAddress!, g = gs.baseAddress!, h = hs.baseAddress!, row = rs.baseAddress!
                  for i in 0..<n {
                    var t = beta[k]
                    for j in 0..<k {
                      row[j] = x[i * k + j]
                      t += row[j] * beta[j]
                    }
                    let p = sigmoid(t), w = max(p * (1 - p), 1e-12)
                    for a in 0..<m {
                      g[a] += (p - y[i]) * row[a]
                      let wa = w * row[a]
                      for b in 0...a { h[a * m + b] += wa * row[b] }
                    }
                  }
                }
              }
            }
          }
          for j in 0..<k {
            gradient[j] += penalty * beta[j]
            hessian[j * m + j] += penalty
          }
          hessian[k * m + k] += 1e-9  // keeps the intercept's pivot positive if every p saturates
          guard cholesky(&hessian, n: m) else { break }
          var step = gradient
          choleskySolve(hessian, n: m, &step)
          // Damped Newton: halve the step until the objective does not increase.
          var scale = 1.0, accepted = false
          for _ in 0..<20 {
            let trial = (0..<m).map { beta[$0] - scale * step[$0] }
            let value = objective(trial)
            if value <= current {
              beta = trial
              current = value
              accepted = true
              break
            }
            scale *= 0.5
          }
          if !accepted || step.map({ abs($0) * scale }).max()! < 1e-7 { break }
        }
        return (beta, current)
      }
    }
  }

  /// ROC AUC of `score` for the positives of `label` (label > 0.5), ties counting half: the fraction
  /// of (positive, negative) pairs the score orders correctly. 0.5 when either class is empty.
  /// Sorts once: O(n log n).
  static func auc(score: [Double], label: [Double]) -> Double {
    let order = score.indices.sorted { score[$0] < score[$1] }
    var negativesBelow = 0.0, wins = 0.0, positives = 0.0
    var i = 0
    while i < order.count {
      var pos = 0.0, neg = 0.0
      let v = score[order[i]]
      while i < order.count && score[order[i]] == v {
        if label[order[i]] > 0.5 { pos += 1 } else { neg += 1 }
        i += 1
      }
      wins += pos * (negativesBelow + 0.5 * neg)
      negativesBelow += neg
      positives += pos
    }
    guard positives > 0, negativesBelow > 0 else { return 0.5 }
    return wins / (positives * negativesBelow)
  }

  /// Pearson correlation of a and b (same length); 0 when either is constant.
  static func correlation(_ a: [Double], _ b: [Double]) -> Double {
    let n = Double(a.count)
    guard n > 1 else { return 0 }
    let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for (x, y) in zip(a, b) {
      sab += (x - ma) * (y - mb)
      saa += (x - ma) * (x - ma)
      sbb += (y - mb) * (y - mb)
    }
    guard saa > 0, sbb > 0 else { return 0 }
    return sab / (saa * sbb).squareRoot()
  }
}
