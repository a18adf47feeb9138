// How the probes of `CellProbes` are fitted: greedy forward selection (exact for least squares, a
// shortlist refit for logistic regression) and the all-cells probes through the shared Cholesky
// factor. All on the fit part of the positions; z is (N_fit, U) standardised, so every probe's
// intercept separates from its weights.

import Foundation

extension CellProbes {
  /// zᵀv for a fit-part vector v (N_fit): (U), accumulated in Double row by row (a fixed order).
  func zTransposeTimes(_ v: [Double]) -> [Double] {
    let U = cells
    var out = [Double](repeating: 0, count: U)
    z.withUnsafeBufferPointer { zp in
      out.withUnsafeMutableBufferPointer { o in
        for r in 0..<fitRows.count where v[r] != 0 {
          let vr = v[r], row = zp.baseAddress! + r * U
          for j in 0..<U { o[j] += Double(row[j]) * vr }
        }
      }
    }
    return out
  }

  /// z·w + b for every fit-part row: (N_fit).
  func zTimes(_ w: [Double], plus b: Double) -> [Double] {
    let U = cells
    let wf = w.map(Float.init)
    return z.withUnsafeBufferPointer { zp in
      (0..<fitRows.count).map { r in
        let row = zp.baseAddress! + r * U
        // Eight Float lanes summed in a fixed order: fast and reproducible.
        var acc = SIMD8<Float>()
        var j = 0
        wf.withUnsafeBufferPointer { wp in
          while j + 8 <= U {
            acc +=
              UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
              * UnsafeRawPointer(wp.baseAddress! + j).loadUnaligned(as: SIMD8<Float>.self)
            j += 8
          }
        }
        var t = Double(acc.sum())
        while j < U {
          t += Double(row[j]) * w[j]
          j += 1
        }
        return t + b
      }
    }
  }

  /// Column j of z as Double: (N_fit).
  func column(_ j: Int) -> [Double] { (0..<fitRows.count).map { Double(z[$0 * cells + j]) } }

  /// Exact greedy forward selection for least squares: each step adds the cell that lowers the fit-part
  /// residual sum of squares most, (zⱼ·r)² / ‖zⱼ − projection on the chosen cells‖², kept up to date by
  /// Gram–Schmidt (one pass zᵀq per step, N_fit·U). For each size in `sizes`, the ridge solution on
  /// the cells chosen so far: (cells, weights, intercept).
  func greedyLeastSquares(_ y: [Double], sizes: [Int]) -> [([Int], [Double], Double)] {
    let U = cells, n = y.count
    let ybar = y.reduce(0, +) / Double(n)
    let yc = y.map { $0 - ybar }
    let zy = zTransposeTimes(yc)
    var c = zy  // zⱼ·r for the current residual r
    var projected = [Double](repeating: 0, count: U)
    var taken = [Bool](repeating: false, count: U)
    var chosen: [Int] = [], basis: [[Double]] = []
    while chosen.count < (sizes.last ?? 0) {
      var best = -1, bestGain = -1.0
      for j in usable where !taken[j] {
        let norm = gram[j * U + j], left = norm - projected[j]
        guard left > 1e-6 * norm else { continue }  // (nearly) a combination of the chosen cells
        let gain = c[j] * c[j] / left
        if gain > bestGain {
          best = j
          bestGain = gain
        }
      }
      guard best >= 0 else { break }
      var q = column(best)
      for b in basis {
        let d = zip(b, q).reduce(0) { $0 + $1.0 * $1.1 }
        for r in 0..<n { q[r] -= d * b[r] }
      }
      let norm = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
      guard norm > 0 else { break }
      q = q.map { $0 / norm }
      let qz = zTransposeTimes(q)
      let qr = zip(q, yc).reduce(0) { $0 + $1.0 * $1.1 }
      for j in 0..<U {
        projected[j] += qz[j] * qz[j]
        c[j] -= qz[j] * qr
      }
      taken[best] = true
      chosen.append(best)
      basis.append(q)
    }
    return sizes.filter { $0 <= chosen.count }.map { k in
      let s = Array(chosen.prefix(k))
      var m = [Double](repeating: 0, count: k * k)
      for a in 0..<k {
        for b in 0..<k { m[a * k + b] = gram[s[a] * U + s[b]] }
        m[a * k + a] += ridge * Double(n)
      }
      var w = s.map { zy[$0] }
      if ProbeNumerics.cholesky(&m, n: k) { ProbeNumerics.choleskySolve(m, n: k, &w) }
      return (s, w, ybar)
    }
  }

  /// The usable cell whose values best separate y's two classes on the fit part, by
  /// max(AUC, 1 − AUC) (ties: the lower index); nil when no cell is usable or y has one class.
  /// AUC from the cell's average ranks: (Σ ranks of the positives − P(P+1)/2) / (P·N).
  func bestSingleCellAUC(_ y: [Double]) -> Int? {
    let n = fitRows.count, U = cells
    let positives = y.reduce(0) { $0 + ($1 > 0.5 ? 1 : 0) }, negatives = n - positives
    guard positives > 0, negatives > 0 else { return nil }
    var best: (cell: Int, score: Double)?
    for j in usable {
      let base = j * n  // cell j's fit rows in order of value: sortedFitRows[base + a]
      func row(_ a: Int) -> Int { Int(sortedFitRows[base + a]) }
      var rankSum = 0.0, a = 0
      while a < n {  // a tie group a..<b shares the average of ranks a+1 ... b
        var b = a + 1
        while b < n && z[row(b) * U + j] == z[row(a) * U + j] { b += 1 }
        let rank = Double(a + 1 + b) / 2
        for i in a..<b where y[row(i)] > 0.5 { rankSum += rank }
        a = b
      }
      let P = Double(positives), N = Double(negatives)
      let auc = (rankSum - P * (P + 1) / 2) / (P * N)
      let score = max(auc, 1 - auc)
      if best == nil || score > best!.score { best = (j, score) }
    }
    return best?.cell
  }

  /// Greedy forward selection for logistic regression: each step ranks the cells by |zⱼ·(y − p)|
  /// (the score-test numerator for adding cell j), refits the probe with each of the first
  /// `shortlist` of them (Newton, warm-started), and keeps the one with the lowest penalised
  /// negative log-likelihood on the fit part. Returns (cells, weights, intercept) for each size.
  func greedyLogistic(_ y: [Double], sizes: [Int]) -> [([Int], [Double], Double)] {
    let n = y.count, penalty = ridge * Double(n)
    var coefficients = ProbeNumerics.logistic(x: [], n: n, k: 0, y: y, penalty: penalty).coefficients
    var chosen: [Int] = [], columns: [[Double]] = []
    var taken = [Bool](repeating: false, count: cells)
    var out: [([Int], [Double], Double)] = []
    while chosen.count < (sizes.last ?? 0) {
      let k = chosen.count
      let residual = (0..<n).map { r in
        var t = coefficients[k]
        for a in 0..<k { t += columns[a][r] * coefficients[a] }
        return y[r] - ProbeNumerics.sigmoid(t)
      }
      let c = zTransposeTimes(residual)
      // The first cell is the best single cell by fit-part AUC, the measure the ranking uses: a cell
      // that separates the classes perfectly can still correlate weakly with y (a few far outliers
      // among the negatives), fall outside the shortlist, and leave k = 1 far below that cell's AUC.
      let candidates =
        k == 0
        ? [bestSingleCellAUC(y)].compactMap { $0 }
        : Array(
          usable.filter { !taken[$0] }
            .sorted { abs(c[$0]) != abs(c[$1]) ? abs(c[$0]) > abs(c[$1]) : $0 < $1 }
            .prefix(Self.shortlist))
      guard !candidates.isEmpty else { break }
      var best: (cell: Int, column: [Double], coefficients: [Double], objective: Double)?
      for j in candidates {
        let col = column(j)
        var x = [Double](repeating: 0, count: n * (k + 1))
        for r in 0..<n {
          for a in 0..<k { x[r * (k + 1) + a] = columns[a][r] }
          x[r * (k + 1) + k] = col[r]
        }
        let start = Array(coefficients.prefix(k)) + [0, coefficients[k]]
        let fit = ProbeNumerics.logistic(x: x, n: n, k: k + 1, y: y, penalty: penalty, start: start)
        if best == nil || fit.objective < best!.objective { best = (j, col, fit.coefficients, fit.objective) }
      }
      taken[best!.cell] = true
      chosen.append(best!.cell)
      columns.append(best!.column)
      coefficients = best!.coefficients
      if sizes.contains(chosen.count) {
        out.append((chosen, Array(coefficients.prefix(chosen.count)), coefficients[chosen.count]))
      }
    }
    return out
  }

  /// Ridge regression over every cell: w = (zᵀz + ρ·N_fit·I)⁻¹ zᵀ(y − ȳ), intercept ȳ.
  func allCellsLeastSquares(_ y: [Double]) -> ([Double], Double) {
    let ybar = y.reduce(0, +) / Double(y.count)
    var w = zTransposeTimes(y.map { $0 - ybar })
    ProbeNumerics.choleskySolve(factor, n: cells, &w)
    return (w, ybar)
  }

  /// L2-penalised logistic regression over every cell by Böhning's bound (1992): the Hessian of the
  /// negative log-likelihood never exceeds ¼·zᵀz, so w ← w + 4·(zᵀz + ρ·N_fit·I)⁻¹·(zᵀ(y − p) − λw)
  /// with λ = ρ·N_fit/4 decreases the objective at every step and reuses the one Cholesky factor.
  /// Stops after 60 steps or when no weight moves more than 1e-4 (AUC is settled long before).
  func allCellsLogistic(_ y: [Double]) -> ([Double], Double) {
    let n = Double(y.count), lambda = ridge * n / 4
    let rate = min(max(y.reduce(0, +) / n, 1e-6), 1 - 1e-6)
    var w = [Double](repeating: 0, count: cells), b = log(rate / (1 - rate))
    for _ in 0..<60 {
      let t = zTimes(w, plus: b)
      let residual = zip(y, t).map { $0 - ProbeNumerics.sigmoid($1) }
      var step = zTransposeTimes(residual)
      for j in 0..<cells { step[j] -= lambda * w[j] }
      ProbeNumerics.choleskySolve(factor, n: cells, &step)
      var largest = 0.0
      for j in 0..<cells {
        w[j] += 4 * step[j]
        largest = max(largest, abs(4 * step[j]))
      }
      let db = 4 * residual.reduce(0, +) / n
      b += db
      if largest < 1e-4 && abs(db) < 1e-4 { break }
    }
    return (w, b)
  }
}
