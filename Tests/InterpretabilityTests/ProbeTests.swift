import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// Probes on planted data: features made from known cells, held-out scores recomputed naively
/// (pairwise AUC, Pearson r, least squares by normal equations), and the verdicts.
struct ProbeTests {
  /// (n, u) uniform values in [-1, 1), row-major: independent cells with no structure.
  static func noise(_ n: Int, _ u: Int, seed: UInt64) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    return (0..<(n * u)).map { _ in Float(rng.uniform(-1, 1)) }
  }

  /// Held-out rows as the brief defines them, written independently of `BlockSplit`.
  static func heldOut(_ n: Int, block: Int) -> [Int] { (0..<n).filter { ($0 / block) % 2 == 1 } }
  static func fit(_ n: Int, block: Int) -> [Int] { (0..<n).filter { ($0 / block) % 2 == 0 } }

  /// AUC by comparing every (positive, negative) pair; ties count half.
  static func pairwiseAUC(_ score: [Double], _ label: [Bool]) -> Double {
    var wins = 0.0, pairs = 0.0
    for i in score.indices where label[i] {
      for j in score.indices where !label[j] {
        pairs += 1
        wins += score[i] > score[j] ? 1 : (score[i] == score[j] ? 0.5 : 0)
      }
    }
    return wins / pairs
  }

  static func pearson(_ a: [Double], _ b: [Double]) -> Double {
    let n = Double(a.count), ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
    let sab = zip(a, b).map { ($0 - ma) * ($1 - mb) }.reduce(0, +)
    let saa = a.map { ($0 - ma) * ($0 - ma) }.reduce(0, +), sbb = b.map { ($0 - mb) * ($0 - mb) }.reduce(0, +)
    return sab / (saa * sbb).squareRoot()
  }

  /// Solves the (m, m) system a·x = b by Gaussian elimination with partial pivoting.
  static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
    var a = a, b = b
    let m = b.count
    for col in 0..<m {
      let pivot = (col..<m).max { abs(a[$0][col]) < abs(a[$1][col]) }!
      a.swapAt(col, pivot)
      b.swapAt(col, pivot)
      for row in (col + 1)..<m {
        let f = a[row][col] / a[col][col]
        for k in col..<m { a[row][k] -= f * a[col][k] }
        b[row] -= f * b[col]
      }
    }
    var x = [Double](repeating: 0, count: m)
    for row in stride(from: m - 1, through: 0, by: -1) {
      let rest = ((row + 1)..<m).map { a[row][$0] * x[$0] }.reduce(0, +)
      x[row] = (b[row] - rest) / a[row][row]
    }
    return x
  }

  /// Least squares with an intercept on the raw values of `cells` over the fit rows, by the normal
  /// equations; returns the held-out predictions.
  static func leastSquaresHeldOut(values: [Float], u: Int, y: [Double], cells: [Int], fit: [Int], held: [Int])
    -> [Double]
  {
    func row(_ i: Int) -> [Double] { [1] + cells.map { Double(values[i * u + $0]) } }
    let m = cells.count + 1
    var xtx = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
    var xty = [Double](repeating: 0, count: m)
    for i in fit {
      let r = row(i)
      for a in 0..<m {
        xty[a] += r[a] * y[i]
        for b in 0..<m { xtx[a][b] += r[a] * r[b] }
      }
    }
    let beta = solve(xtx, xty)
    return held.map { i in zip(row(i), beta).map { $0 * $1 }.reduce(0, +) }
  }

  @Test func featureOfOneCellLivesInThatCell() throws {
    let n = 4000, u = 24
    let values = Self.noise(n, u, seed: 1)
    var rng = SeededGenerator(seed: 2)
    let target = (0..<n).map { i in Float(values[i * u + 5] + Float(rng.uniform(-0.1, 0.1)) > 0 ? 1 : 0) }
    let probes = try CellProbes(values: values, positions: n, cells: u)
    let result = try probes.probe(feature: "planted", kind: .binary, target: target)
    #expect(result.steps.map(\.k) == [1, 2, 4, 8, 16, 24])
    #expect(result.steps[0].cells == [5])
    let all = result.steps.last!
    #expect(all.allCells)
    #expect(result.steps[0].score > 0.97)
    #expect(result.steps[0].score >= all.score - CellProbes.tolerance)
    #expect(result.verdict == .oneCell)
    #expect(result.cellsNeeded == 1)
    #expect(result.summary.hasPrefix("lives in one cell"))

    // k = 1 is monotone in cell 5, so its held-out AUC is the pairwise AUC of the cell itself.
    let held = Self.heldOut(n, block: 500)
    let naive = Self.pairwiseAUC(held.map { Double(values[$0 * u + 5]) }, held.map { target[$0] > 0.5 })
    #expect(abs(result.steps[0].score - naive) < 1e-9)
    #expect(result.heldOutPositions == held.count)
  }

  @Test func gradedFeatureOfOneCell() throws {
    let n = 3000, u = 20
    let values = Self.noise(n, u, seed: 3)
    var rng = SeededGenerator(seed: 4)
    let target = (0..<n).map { i in 2 * values[i * u + 7] + Float(rng.uniform(-0.2, 0.2)) }
    let result = try CellProbes(values: values, positions: n, cells: u).probe(
      feature: "graded", kind: .graded, target: target)
    #expect(result.steps[0].cells == [7])
    #expect(result.verdict == .oneCell)
    let held = Self.heldOut(n, block: 500)
    let r = Self.pearson(held.map { Double(values[$0 * u + 7]) }, held.map { Double(target[$0]) })
    #expect(abs(result.steps[0].score - r) < 1e-6)
  }

  /// The majority of 8 cells, each alone weakly informative: k = 8 finds exactly those cells and
  /// beats k = 1 by far; the verdict is "spread over many cells".
  @Test func majorityOfEightCellsIsSpread() throws {
    let n = 6000, u = 40
    let values = Self.noise(n, u, seed: 5)
    let planted = [3, 9, 14, 21, 22, 30, 33, 38]
    let target = (0..<n).map { i in Float(planted.map { values[i * u + $0] }.reduce(0, +) > 0 ? 1 : 0) }
    let result = try CellProbes(values: values, positions: n, cells: u).probe(
      feature: "majority", kind: .binary, target: target)
    let one = result.steps[0], eight = result.steps[3]
    #expect(eight.k == 8)
    #expect(Set(eight.cells) == Set(planted))
    #expect(one.score < 0.75)
    #expect(eight.score > 0.97)
    #expect(eight.score - one.score > 0.2)
    #expect(result.verdict == .manyCells)
    #expect(result.cellsNeeded == 8)
  }

  @Test func gradedSumOfEightCellsIsSpread() throws {
    let n = 4000, u = 30
    let values = Self.noise(n, u, seed: 6)
    let planted = [0, 4, 8, 12, 16, 20, 24, 28]
    let target = (0..<n).map { i in planted.map { values[i * u + $0] }.reduce(0, +) }
    let result = try CellProbes(values: values, positions: n, cells: u).probe(
      feature: "sum", kind: .graded, target: target)
    #expect(Set(result.steps[3].cells) == Set(planted))
    #expect(result.steps[3].score > 0.999)
    #expect(result.steps[0].score < 0.5)
    #expect(result.verdict == .manyCells)
  }

  /// k = 2 and the all-cells probe against least squares by normal equations written here, on
  /// correlated cells (a near-zero ridge, so the two agree).
  @Test func leastSquaresMatchesNormalEquations() throws {
    let n = 2000, u = 6
    var values = Self.noise(n, u, seed: 7)
    for i in 0..<n { values[i * u + 1] = 0.6 * values[i * u + 0] + 0.4 * values[i * u + 1] }  // correlated
    var rng = SeededGenerator(seed: 8)
    let y = (0..<n).map { i in
      Double(values[i * u + 0]) - 0.5 * Double(values[i * u + 1]) + 0.3 * Double(values[i * u + 4])
        + rng.uniform(-0.5, 0.5)
    }
    let result = try CellProbes(values: values, positions: n, cells: u, blockSize: 100, ridge: 1e-12).probe(
      feature: "mix", kind: .graded, target: y.map(Float.init))
    let fit = Self.fit(n, block: 100), held = Self.heldOut(n, block: 100)
    // Greedy step 1: the cell most correlated with y on the fit part.
    let first = (0..<u).max { a, b in
      abs(Self.pearson(fit.map { Double(values[$0 * u + a]) }, fit.map { y[$0] }))
        < abs(Self.pearson(fit.map { Double(values[$0 * u + b]) }, fit.map { y[$0] }))
    }!
    #expect(result.steps[0].cells == [first])
    let two = result.steps[1]
    let predictionTwo = Self.leastSquaresHeldOut(
      values: values, u: u, y: y, cells: two.cells, fit: fit, held: held)
    #expect(abs(two.score - Self.pearson(predictionTwo, held.map { y[$0] })) < 1e-6)
    let predictionAll = Self.leastSquaresHeldOut(
      values: values, u: u, y: y, cells: Array(0..<u), fit: fit, held: held)
    #expect(abs(result.steps.last!.score - Self.pearson(predictionAll, held.map { y[$0] })) < 1e-5)
  }

  /// The AUC helper against pairwise counting, with many ties.
  @Test(arguments: [11, 12, 13] as [UInt64])
  func aucMatchesPairwiseCounting(seed: UInt64) {
    var rng = SeededGenerator(seed: seed)
    let score = (0..<300).map { _ in Double(rng.below(12)) }
    let label = score.map { rng.uniform(0, 1) < 0.2 + 0.05 * $0 }
    let auc = ProbeNumerics.auc(score: score, label: label.map { $0 ? 1 : 0 })
    #expect(abs(auc - Self.pairwiseAUC(score, label)) < 1e-12)
  }

  @Test func blockSplitAlternates() {
    let split = BlockSplit(blockSize: 3)
    #expect(
      (0..<12).map(split.isHeldOut) == [
        false, false, false, true, true, true, false, false, false, true, true, true,
      ])
  }

  @Test func sameInputGivesSameResult() throws {
    let n = 1200, u = 10
    let values = Self.noise(n, u, seed: 9)
    let target = (0..<n).map { i in Float(values[i * u + 2] * values[i * u + 3] > 0 ? 1 : 0) }
    let a = try CellProbes(values: values, positions: n, cells: u).probe(
      feature: "x", kind: .binary, target: target)
    let b = try CellProbes(values: values, positions: n, cells: u).probe(
      feature: "x", kind: .binary, target: target)
    #expect(a == b)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    #expect(try encoder.encode(a) == encoder.encode(b))
  }

  @Test func badInputIsOneSentence() throws {
    #expect(throws: ProbeError.shape("5 values for 2 positions of 3 cells")) {
      try CellProbes(values: [Float](repeating: 0, count: 5), positions: 2, cells: 3)
    }
    #expect(throws: ProbeError.tooFewPositions(3)) {
      try CellProbes(values: [Float](repeating: 0, count: 6), positions: 3, cells: 2)
    }
    let n = 100, u = 3
    var values = Self.noise(n, u, seed: 10)
    let probes = try CellProbes(values: values, positions: n, cells: u)
    // On only in the first block (the fit part): nothing to score on the held-out part.
    let target = (0..<n).map { Float($0 < 10 ? 1 : 0) }
    #expect(throws: ProbeError.constantFeature("early", part: "held-out")) {
      try probes.probe(feature: "early", kind: .binary, target: target)
    }
    #expect(
      ProbeError.constantFeature("early", part: "held-out").description
        == "feature early does not vary in the held-out part of the sampled positions, so no probe can be scored."
    )
    values[7] = .nan
    #expect(throws: ProbeError.nonFinite("values", index: 7)) {
      try CellProbes(values: values, positions: n, cells: u)
    }
  }

  /// A constant cell is never chosen and gets no weight; the rest still works.
  @Test func constantCellIsSkipped() throws {
    let n = 1000, u = 4
    var values = Self.noise(n, u, seed: 12)
    for i in 0..<n { values[i * u + 0] = 0.3 }
    let target = (0..<n).map { i in values[i * u + 2] }
    let result = try CellProbes(values: values, positions: n, cells: u).probe(
      feature: "copy", kind: .graded, target: target)
    #expect(result.steps.map(\.k) == [1, 2, 3])  // 3 usable cells: k = 1, 2, then all 3
    #expect(result.steps[0].cells == [2])
    #expect(!result.steps[1].cells.contains(0))
    #expect(result.steps[0].score > 0.999)
  }

  /// The cost at the size the lead will use: N = 20,000 positions, U = 2048 units. Run with
  /// CELLSCOPE_PROBE_BENCH=1; prints the times.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["CELLSCOPE_PROBE_BENCH"] != nil))
  func benchmarkLargeProbe() throws {
    let n = 20_000, u = 2048
    let values = Self.noise(n, u, seed: 13)
    var clock = ContinuousClock.now
    let probes = try CellProbes(values: values, positions: n, cells: u)
    print("probe bench: init \(ContinuousClock.now - clock)")
    let planted = [5, 100, 900, 1500]
    let binary = (0..<n).map { i in Float(planted.map { values[i * u + $0] }.reduce(0, +) > 0 ? 1 : 0) }
    clock = .now
    let b = try probes.probe(feature: "b", kind: .binary, target: binary)
    print("probe bench: binary \(ContinuousClock.now - clock) \(b.summary)")
    clock = .now
    let g = try probes.probe(feature: "g", kind: .graded, target: binary.map { $0 * 2 - 1 })
    print("probe bench: graded \(ContinuousClock.now - clock) \(g.summary)")
    #expect(Set(b.steps[2].cells) == Set(planted))
    // Where the binary probe's time goes.
    let y = probes.fitRows.map { Double(binary[$0]) }
    clock = .now
    _ = probes.greedyLogistic(y, sizes: CellProbes.sizes)
    print("probe bench: greedy logistic \(ContinuousClock.now - clock)")
    clock = .now
    _ = probes.allCellsLogistic(y)
    print("probe bench: all-cells logistic \(ContinuousClock.now - clock)")
  }

  /// A cell that separates the classes perfectly, but whose few far outliers among the negatives make
  /// its correlation with y weaker than twenty noisy decoys': the one-cell probe must still be that cell
  /// (the ranking's measure is AUC), with its naive held-out AUC. The old correlation shortlist of 8
  /// chose a decoy here.
  @Test func oneCellProbeIsTheBestSingleCellByAUC() throws {
    let n = 4000, u = 40, separator = 7
    var rng = SeededGenerator(seed: 99)
    let label = (0..<n).map { _ in rng.uniform(0, 1) < 0.1 }
    var values = Self.noise(n, u, seed: 5)
    for i in 0..<n {
      if label[i] {
        values[i * u + separator] = 1 + Float(rng.uniform(0, 0.01))
      } else {
        values[i * u + separator] = rng.uniform(0, 1) < 0.02 ? -50 : Float(rng.uniform(0.5, 0.99))
      }
      for d in 10..<30 { values[i * u + d] = (label[i] ? 0.8 : 0) + Float(rng.uniform(-1, 1)) }
    }
    let y = label.map { Float($0 ? 1 : 0) }
    let probes = try CellProbes(values: values, positions: n, cells: u)
    let result = try probes.probe(feature: "planted", kind: .binary, target: y)
    let one = try #require(result.steps.first { $0.k == 1 && !$0.allCells })
    #expect(one.cells == [separator])
    let held = Self.heldOut(n, block: 500)
    let naive = Self.pairwiseAUC(held.map { Double(values[$0 * u + separator]) }, held.map { label[$0] })
    #expect(naive > 0.99)
    #expect(abs(one.score - naive) < 1e-9)
    // The decoys do correlate more: the case the shortlist alone got wrong.
    let fitRows = Self.fit(n, block: 500)
    let ys = fitRows.map { label[$0] ? 1.0 : 0.0 }
    let sepCorrelation = abs(Self.pearson(fitRows.map { Double(values[$0 * u + separator]) }, ys))
    let decoyCorrelation = abs(Self.pearson(fitRows.map { Double(values[$0 * u + 10]) }, ys))
    #expect(decoyCorrelation > 2 * sepCorrelation)
  }
}
