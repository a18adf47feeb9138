// Probes: how many cells carry a feature (issue 14, item 4).
//
// A probe predicts a feature from the values of k cells at once: logistic regression for binary
// features, least squares for graded ones. The cells are chosen by greedy forward selection on the
// fit part of the positions; every probe is scored on the held-out part. If one cell does as well as
// all of them, the feature lives in that cell; if it takes 8 or more, the code is spread out
// (sparse probing, Gurnee et al. 2023).

import CharLSTM
import Foundation

/// One probe of a `ProbeResult`: the cells it reads and how well it predicts on held-out positions.
public struct ProbeStep: Codable, Sendable, Equatable {
  /// Number of cells the probe reads (for the all-cells probe: the cells that are not constant).
  public var k: Int
  /// True for the probe over every cell (L2-regularised, no selection).
  public var allCells: Bool
  /// Unit indices (columns of `values`), in the order greedy selection added them; empty when `allCells`.
  public var cells: [Int]
  /// Held-out score: ROC AUC of the probe's output (binary features, 0.5 = chance) or Pearson r
  /// between its prediction and the feature (graded features, 0 = chance).
  public var score: Double
}

/// The verdict on how a feature is carried; `rawValue` is the phrase shown on the pages.
public enum ProbeVerdict: String, Codable, Sendable {
  /// The best single cell comes within `CellProbes.tolerance` of the best probe.
  case oneCell = "lives in one cell"
  /// 2 or 4 cells are needed to come within the tolerance.
  case fewCells = "a few cells"
  /// 8 or more cells (or only the all-cells probe) come within the tolerance.
  case manyCells = "spread over many cells"
  /// Even the best probe is close to chance (AUC < 0.6, or r < 0.2): no verdict on sparsity.
  case notCarried = "not carried by the cells"
}

/// How many cells a feature needs: probes with k = 1, 2, 4, 8, 16 greedily chosen cells and with all cells.
public struct ProbeResult: Codable, Sendable, Equatable {
  public var feature: String
  /// "binary" or "graded".
  public var kind: String
  /// Positions in the fit and held-out parts.
  public var fitPositions: Int, heldOutPositions: Int
  /// k = 1, 2, 4, 8, 16 (those not above the number of non-constant cells), then the all-cells probe.
  /// The cells of step k are a prefix of those of the next step (one greedy path).
  public var steps: [ProbeStep]
  /// The smallest k whose held-out score is within the tolerance of the best probe; nil if only the
  /// all-cells probe is.
  public var cellsNeeded: Int?
  public var verdict: ProbeVerdict
  /// One sentence for the feature page, e.g. "lives in one cell: the best cell alone reaches
  /// held-out AUC 0.97, all 256 cells 0.98".
  public var summary: String
}

/// Input the probes cannot use; `description` is one sentence saying what is wrong.
public enum ProbeError: Error, Equatable, CustomStringConvertible {
  case shape(String)
  case tooFewPositions(Int)
  case nonFinite(String, index: Int)
  case constantFeature(String, part: String)
  case notPositiveDefinite

  public var description: String {
    switch self {
    case .shape(let what): return "probe input has the wrong shape: \(what)."
    case .tooFewPositions(let n):
      return "probes need at least 4 analysed positions to split into fit and held-out parts, got \(n)."
    case .nonFinite(let what, let index): return "probe input \(what) is not finite at index \(index)."
    case .constantFeature(let id, let part):
      return
        "feature \(id) does not vary in the \(part) part of the sampled positions, so no probe can be scored."
    case .notPositiveDefinite:
      return
        "the all-cells probe could not be fitted (the regularised cell covariance is not positive definite)."
    }
  }
}

/// The sampled cell values, standardised and factorised once, against which any number of features
/// are probed (`probe(feature:kind:target:)`).
///
/// Conventions:
/// - `values` is (N, U) row-major: N sampled positions in text order, U units (e.g. every layer's c and
///   h cells), all finite.
/// - Split: alternating contiguous blocks of `blockSize` positions (`BlockSplit`); the block size is
///   reduced to N / 4 when N < 4·blockSize, so each part has at least two blocks.
/// - Every cell is standardised with the mean and standard deviation of the fit part; cells whose
///   fit-part standard deviation is below 1e-6 are never chosen and get weight 0.
/// - Penalties (on standardised cells, intercept free): sparse probes ½·ρ·N_fit·‖w‖²; the all-cells
///   probe ½·ρ·N_fit·‖w‖² (least squares) or ½·(ρ/4)·N_fit·‖w‖² (logistic), ρ = `ridge`.
/// - Cost of `init`: the (U, U) cell covariance of the fit part (N_fit·U² multiply-adds, OpenBLAS) and
///   its Cholesky factor (U³/3, in Double); memory N_fit·U floats plus 3·U² doubles.
public struct CellProbes: Sendable {
  /// A probe with fewer cells counts as good as the best when its held-out score is at most this far below.
  public static let tolerance = 0.02
  /// The sizes of the sparse probes.
  public static let sizes = [1, 2, 4, 8, 16]
  /// Binary features: greedy selection refits the logistic probe for this many candidates per step,
  /// those whose values correlate most with the current residual y − p.
  public static let shortlist = 8

  public let positions: Int, cells: Int
  public let split: BlockSplit
  public let ridge: Double
  let fitRows: [Int], heldRows: [Int]
  let mean: [Double], scale: [Double]  // (U) fit-part mean and 1/std (0 for constant cells)
  let usable: [Int]  // non-constant cells
  let z: [Float]  // (N_fit, U) standardised fit-part values
  let gram: [Double]  // (U, U) zᵀz
  let factor: [Double]  // (U, U) lower Cholesky factor of zᵀz + ρ·N_fit·I
  let values: [Float]  // (N, U) as given, for the held-out predictions
  let sortedFitRows: [Int32]  // (U, N_fit) each cell's fit rows by increasing value

  /// Prepares the probes; throws `ProbeError` when `values` does not have N·U finite entries or N < 4.
  public init(values: [Float], positions: Int, cells: Int, blockSize: Int = 500, ridge: Double = 1e-3) throws
  {
    guard positions >= 0, cells >= 1, values.count == positions * cells else {
      throw ProbeError.shape("\(values.count) values for \(positions) positions of \(cells) cells")
    }
    guard positions >= 4 else { throw ProbeError.tooFewPositions(positions) }
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw ProbeError.nonFinite("values", index: bad)
    }
    let N = positions, U = cells
    self.positions = N
    self.cells = U
    self.ridge = max(ridge, 1e-9)
    let split = BlockSplit(blockSize: min(blockSize, N / 4))
    let fitRows = (0..<N).filter { !split.isHeldOut($0) }
    self.split = split
    self.fitRows = fitRows
    heldRows = (0..<N).filter { split.isHeldOut($0) }
    let nFit = fitRows.count
    var sum = [Double](repeating: 0, count: U), sumSq = [Double](repeating: 0, count: U)
    for i in fitRows {
      for j in 0..<U {
        let v = Double(values[i * U + j])
        sum[j] += v
        sumSq[j] += v * v
      }
    }
    let mean = sum.map { $0 / Double(nFit) }
    let std = (0..<U).map { j in max(0, sumSq[j] / Double(nFit) - mean[j] * mean[j]).squareRoot() }
    let scale = std.map { $0 > 1e-6 ? 1 / $0 : 0 }
    self.mean = mean
    self.scale = scale
    usable = (0..<U).filter { std[$0] > 1e-6 }
    var z = [Float](repeating: 0, count: nFit * U)
    for (r, i) in fitRows.enumerated() {
      for j in 0..<U { z[r * U + j] = Float((Double(values[i * U + j]) - mean[j]) * scale[j]) }
    }
    var g = [Float](repeating: 0, count: U * U)
    z.withUnsafeBufferPointer { zp in
      g.withUnsafeMutableBufferPointer { gp in
        Float.gemm(
          transA: true, transB: false, m: U, n: U, k: nFit, alpha: 1, a: zp.baseAddress!, lda: U,
          b: zp.baseAddress!, ldb: U, beta: 0, c: gp.baseAddress!, ldc: U)
      }
    }
    gram = g.map(Double.init)
    var a = gram
    for j in 0..<U { a[j * U + j] += self.ridge * Double(nFit) }
    guard ProbeNumerics.cholesky(&a, n: U) else { throw ProbeError.notPositiveDefinite }
    factor = a
    self.z = z
    self.values = values
    // Each cell's fit rows in order of value, once for all binary features' single-cell AUCs.
    var sorted = [Int32](repeating: 0, count: U * nFit)
    z.withUnsafeBufferPointer { zp in
      sorted.withUnsafeMutableBufferPointer { sp in
        for j in 0..<U {
          var rows = UnsafeMutableBufferPointer(rebasing: sp[(j * nFit)..<((j + 1) * nFit)])
          for r in 0..<nFit { rows[r] = Int32(r) }
          rows.sort { (a: Int32, b: Int32) -> Bool in
            let x: Float = zp[Int(a) * U + j], y: Float = zp[Int(b) * U + j]
            return x < y
          }
        }
      }
    }
    sortedFitRows = sorted
  }

  /// Probes one feature. `target` has N entries in the order of the rows of `values`: 0 or 1 for a
  /// binary feature (values above 0.5 count as 1), any finite number for a graded one.
  /// Throws `ProbeError` when `target` has the wrong length, is not finite, or is constant on the fit
  /// or the held-out part (then no score is defined).
  public func probe(feature: String, kind: FeatureKind, target: [Float]) throws -> ProbeResult {
    guard target.count == positions else {
      throw ProbeError.shape("feature \(feature) has \(target.count) values for \(positions) positions")
    }
    if let bad = target.firstIndex(where: { !$0.isFinite }) {
      throw ProbeError.nonFinite("feature \(feature)", index: bad)
    }
    let binary = kind == .binary
    let y = target.map { binary ? ($0 > 0.5 ? 1.0 : 0.0) : Double($0) }
    let yFit = fitRows.map { y[$0] }, yHeld = heldRows.map { y[$0] }
    for (part, ys) in [("fit", yFit), ("held-out", yHeld)] where ys.min() == ys.max() {
      throw ProbeError.constantFeature(feature, part: part)
    }
    let sizes = Self.sizes.filter { $0 <= usable.count }
    var steps: [ProbeStep] = []
    for (cells, weights, intercept) in binary
      ? greedyLogistic(yFit, sizes: sizes) : greedyLeastSquares(yFit, sizes: sizes)
    {
      let score = heldOutScore(Array(zip(cells, weights)), intercept, yHeld, binary: binary)
      steps.append(ProbeStep(k: cells.count, allCells: false, cells: cells, score: score))
    }
    let (w, b) = binary ? allCellsLogistic(yFit) : allCellsLeastSquares(yFit)
    let all = heldOutScore(usable.map { ($0, w[$0]) }, b, yHeld, binary: binary)
    steps.append(ProbeStep(k: usable.count, allCells: true, cells: [], score: all))
    return Self.judge(
      feature: feature, binary: binary, steps: steps, fit: fitRows.count, heldOut: heldRows.count)
  }

  /// The verdict from the held-out scores: the best score over all probes is the reference; the
  /// smallest k within `tolerance` of it decides (1: one cell; 2 or 4: a few; 8, 16 or only all: many),
  /// unless the reference itself is near chance (binary AUC < 0.6, graded r < 0.2).
  static func judge(feature: String, binary: Bool, steps: [ProbeStep], fit: Int, heldOut: Int) -> ProbeResult
  {
    let best = steps.map(\.score).max() ?? 0
    let needed = steps.first { !$0.allCells && $0.score >= best - tolerance }?.k
    let verdict: ProbeVerdict
    if best < (binary ? 0.6 : 0.2) {
      verdict = .notCarried
    } else if needed == 1 {
      verdict = .oneCell
    } else if let k = needed, k <= 4 {
      verdict = .fewCells
    } else {
      verdict = .manyCells
    }
    let metric = binary ? "AUC" : "r"
    let one = steps.first { $0.k == 1 && !$0.allCells }.map { String(format: "%.2f", $0.score) } ?? "–"
    let allStep = steps.last { $0.allCells }
    let allText = allStep.map { "all \($0.k) cells \(String(format: "%.2f", $0.score))" } ?? ""
    var summary = "\(verdict.rawValue): the best cell alone reaches held-out \(metric) \(one), \(allText)"
    if let k = needed, k > 1 { summary += "; \(k) cells come within \(tolerance) of the best" }
    return ProbeResult(
      feature: feature, kind: binary ? "binary" : "graded", fitPositions: fit, heldOutPositions: heldOut,
      steps: steps, cellsNeeded: needed, verdict: verdict, summary: summary)
  }

  /// Held-out score of the linear predictor Σ w·(v − mean)·scale + intercept over `terms` (cell, weight).
  func heldOutScore(_ terms: [(Int, Double)], _ intercept: Double, _ yHeld: [Double], binary: Bool) -> Double
  {
    let U = cells
    let used = terms.filter { $0.1 != 0 && scale[$0.0] != 0 }
    let prediction = heldRows.map { i in
      var t = intercept
      for (j, w) in used { t += w * (Double(values[i * U + j]) - mean[j]) * scale[j] }
      return t
    }
    return binary
      ? ProbeNumerics.auc(score: prediction, label: yHeld) : ProbeNumerics.correlation(prediction, yHeld)
  }
}
