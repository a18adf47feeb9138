import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// The statistics kernel (CellStatisticsKernel.c) against a position-by-position reference written
/// here from the definitions in CellStatistics.swift: every sum must be the same bits, every count
/// the same number.
@Suite struct CellStatisticsKernelTests {
  @Test func fineEdgesAreWhereTheReferenceBinChanges() {
    let edges = CellStatistics.fineEdges
    for b in 1..<CellStatistics.fineBins {
      #expect(CellStatistics.fineBin(edges[b]) >= b, "bin \(b)")
      #expect(CellStatistics.fineBin(edges[b].nextDown) < b, "bin \(b)")
    }
    #expect(edges[CellStatistics.fineBins...].allSatisfy { $0 == .infinity })
    // The search relies on the reference never decreasing: sorted values give sorted bins.
    var rng = SeededGenerator(seed: 5)
    let xs = (0..<20_000).map { _ in Float(rng.uniform(-1, 1)) }.sorted()
    let bins = xs.map(CellStatistics.fineBin)
    #expect(zip(bins, bins.dropFirst()).allSatisfy { $0 <= $1 })
  }

  /// Streams interleaved and broken (lags only within a stream's consecutive positions), more
  /// positions than a block, a group of cells that is not a multiple of 16, values on and beside
  /// the bin edges, saturated and extreme values.
  @Test(arguments: [(1, 21, 1, 1), (2, 64, 2, 3), (1, 40, 2, 2)])
  func kernelMatchesThePositionByPositionReference(L: Int, H: Int, threads: Int, streams: Int) {
    let config = ModelConfig(vocabSize: 7, hiddenSize: H, numLayers: L)
    let features = TextFeatures.all
    let F = features.count, U = L * 2 * H, V = 7, G4 = 4 * H
    let n = CellStatistics.batch * 2 + 777
    let stats = CellStatistics(
      config: config, features: features, streams: streams, topK: 5, gap: 7, threads: threads)
    var rng = SeededGenerator(seed: UInt64(H * 31 + L))
    let edges = CellStatistics.fineEdges
    func value() -> Float {
      switch rng.below(10) {
      case 0: return edges[1 + rng.below(CellStatistics.fineBins - 1)]
      case 1: return edges[1 + rng.below(CellStatistics.fineBins - 1)].nextDown
      case 2: return rng.below(2) == 0 ? 1 : -1
      default: return Float(rng.uniform(-1, 1))
      }
    }
    stats.segment = 0..<n
    stats.segmentValues = (0..<(n * F)).map { k in
      features[k % F].kind == .binary ? Float(rng.below(3) == 0 ? 1 : 0) : Float(rng.uniform(-1, 3))
    }
    // Positions in stream order: stream b reads [b·n/S, (b+1)·n/S), the streams interleaved, with a gap.
    var order: [(position: Int, stream: Int)] = []
    let per = n / streams
    for t in 0..<per {
      for b in 0..<streams where !(t == per / 2 && b == 0) { order.append((b * per + t, b)) }
    }
    var reference = Reference(U: U, L: L, H: H, features: features, streams: streams)
    var values = [Float](repeating: 0, count: U), gates = [Float](repeating: 0, count: L * G4)
    let probs = [Float](repeating: 1 / Float(V), count: V)
    for (p, b) in order {
      for u in 0..<U { values[u] = value() }
      for j in gates.indices { gates[j] = Float(rng.nextUnit()) }
      let row = Array(stats.segmentValues[(p * F)..<((p + 1) * F)])
      values.withUnsafeBufferPointer { v in
        gates.withUnsafeBufferPointer { g in
          probs.withUnsafeBufferPointer { q in
            stats.observe(
              Observation(
                position: p, stream: b, values: v.baseAddress!, gates: g.baseAddress!, probs: q.baseAddress!,
                next: 1),
              symbol: p % V)
          }
        }
      }
      reference.observe(position: p, stream: b, values: values, gates: gates, features: row)
    }
    stats.flush()
    for u in 0..<U {
      #expect(stats.sum[u] == reference.sum[u] && stats.sumSq[u] == reference.sumSq[u], "unit \(u)")
      #expect(stats.minV[u] == reference.lo[u] && stats.maxV[u] == reference.hi[u], "unit \(u)")
      #expect(stats.saturated[u] == reference.saturated[u], "unit \(u)")
      #expect(
        [
          stats.lagSum[u], stats.lagPrevSum[u], stats.lagPrevSumSq[u], stats.lagNextSum[u],
          stats.lagNextSumSq[u],
        ]
          == reference.lag[u], "unit \(u)")
      #expect(Array(stats.allCounts(u)) == reference.histogram[u][0], "unit \(u)")
      for bi in stats.binary.indices {
        #expect(Array(stats.positiveCounts(u, binary: bi)) == reference.histogram[u][1 + bi], "unit \(u)")
      }
      #expect(
        (0..<CellStatistics.displayBins).map { stats.display[u * CellStatistics.displayBins + $0] }
          == reference.display[u])
      #expect(
        (0..<stats.graded.count).map { stats.sumVY[u * stats.graded.count + $0] } == reference.sumVY[u])
      #expect(stats.top[u].items.map(\.0) == reference.top[u].map(\.0), "unit \(u)")
      #expect(stats.top[u].items.map(\.1) == reference.top[u].map(\.1), "unit \(u)")
      #expect(stats.bottom[u].items.map(\.1) == reference.bottom[u].map(\.1), "unit \(u)")
    }
    #expect(stats.lagCount == reference.lagCount)
    for r in 0..<(L * 3 * H) {
      #expect(
        stats.gateLowCount[r] == reference.gateLow[r] && stats.gateHighCount[r] == reference.gateHigh[r])
    }
  }

  /// One cell at a time, one position at a time, straight from the definitions.
  struct Reference {
    let U: Int, L: Int, H: Int
    let binary: [Int], graded: [Int]
    var sum: [Double], sumSq: [Double], lo: [Float], hi: [Float], saturated: [Int]
    var lag: [[Double]]  // (U, 5): Σxy, Σx, Σx², Σy, Σy² over consecutive pairs
    var lagCount = 0
    var prev: [[Float]]  // (streams, U)
    var lastPosition: [Int]
    var histogram: [[[UInt32]]]  // (U, 1 + binary, bins)
    var display: [[Int]]
    var sumVY: [[Double]]
    var gateLow: [Int], gateHigh: [Int]
    var top: [[(Float, Int)]], bottom: [[(Float, Int)]]

    init(U: Int, L: Int, H: Int, features: [TextFeature], streams: Int) {
      self.U = U
      self.L = L
      self.H = H
      binary = features.indices.filter { features[$0].kind == .binary }
      graded = features.indices.filter { features[$0].kind == .graded }
      sum = .init(repeating: 0, count: U)
      sumSq = sum
      lo = .init(repeating: .infinity, count: U)
      hi = .init(repeating: -.infinity, count: U)
      saturated = .init(repeating: 0, count: U)
      lag = .init(repeating: .init(repeating: 0, count: 5), count: U)
      prev = .init(repeating: .init(repeating: 0, count: U), count: streams)
      lastPosition = .init(repeating: -2, count: streams)
      histogram = .init(
        repeating: .init(
          repeating: .init(repeating: 0, count: CellStatistics.fineBins), count: 1 + binary.count),
        count: U)
      display = .init(repeating: .init(repeating: 0, count: CellStatistics.displayBins), count: U)
      sumVY = .init(repeating: .init(repeating: 0, count: graded.count), count: U)
      gateLow = .init(repeating: 0, count: L * 3 * H)
      gateHigh = gateLow
      top = .init(repeating: [], count: U)
      bottom = top
    }

    mutating func observe(position p: Int, stream b: Int, values: [Float], gates: [Float], features: [Float])
    {
      let consecutive = lastPosition[b] == p - 1
      if consecutive { lagCount += 1 }
      lastPosition[b] = p
      for u in 0..<U {
        let x = values[u], xd = Double(x)
        sum[u] += xd
        sumSq[u] += xd * xd
        lo[u] = min(lo[u], x)
        hi[u] = max(hi[u], x)
        if abs(x) > 0.9 { saturated[u] += 1 }
        if consecutive {
          let q = Double(prev[b][u])
          lag[u][0] += xd * q
          lag[u][1] += q
          lag[u][2] += q * q
          lag[u][3] += xd
          lag[u][4] += xd * xd
        }
        prev[b][u] = x
        let bin = CellStatistics.fineBin(x)
        histogram[u][0][bin] += 1
        for (bi, f) in binary.enumerated() where features[f] > 0.5 { histogram[u][1 + bi][bin] += 1 }
        let d = Int((x + 1) / 2 * Float(CellStatistics.displayBins))
        display[u][min(CellStatistics.displayBins - 1, max(0, d))] += 1
        for (gi, f) in graded.enumerated() { sumVY[u][gi] += xd * Double(features[f]) }
        // As CellStatistics.insertExtreme: a value enters a full list only by beating its last.
        if top[u].count < 5 || x > top[u][top[u].count - 1].0 {
          CellStatistics.insert(&top[u], x, p, 5, 7, >)
        }
        if bottom[u].count < 5 || x < bottom[u][bottom[u].count - 1].0 {
          CellStatistics.insert(&bottom[u], x, p, 5, 7, <)
        }
      }
      for k in 0..<L {
        for (slot, gate) in CellStatistics.gateRows.enumerated() {
          for j in 0..<H {
            let g = gates[k * 4 * H + gate * H + j], r = (k * 3 + slot) * H + j
            if g < 0.1 { gateLow[r] += 1 }
            if g > 0.9 { gateHigh[r] += 1 }
          }
        }
      }
    }
  }
}
