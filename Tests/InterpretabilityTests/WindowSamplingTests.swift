import CharLSTM
import Testing

@testable import Interpretability

/// The window pass's choices, made from the first pass: the band samples and the ranges it reads.
struct WindowSamplingTests {
  /// A text longer than the sample: one position per equal stratum, each stratum's position fed to
  /// the sampler with a known value per unit, in shuffled order (as interleaved streams give them).
  @Test func theBandSampleIsOnePositionPerStratumWithItsValues() {
    let n = 100_003, U = 3
    let sampler = BandSampler(textLength: n, units: U)
    let M = sampler.positions.count
    #expect(M == BandSampler.maxPositions)
    for (i, p) in sampler.positions.enumerated() {
      #expect(p >= i * n / M && p < (i + 1) * n / M, "position \(p) outside stratum \(i)")
    }
    var order = Array(0..<n)
    var rng = SeededGenerator(seed: 7)
    order.shuffle(using: &rng)
    for p in order {
      // Unit 0: the position's place in the text, in [0, 1); unit 1 its negation; unit 2 constant.
      let v: [Float] = [Float(p) / Float(n), -Float(p) / Float(n), 0.25]
      v.withUnsafeBufferPointer { sampler.observe(position: p, values: $0.baseAddress!) }
    }
    let bands = [
      Band(label: "top", lower: 0.9, upper: 1), Band(label: "middle", lower: 0.4, upper: 0.6),
      Band(label: "empty", lower: 2, upper: 3),
    ]
    var draw = SeededGenerator(seed: BandSampler.seed)
    let foci = sampler.foci(unit: 0, bands: bands, count: 2, rng: &draw)
    #expect(foci[0].count == 2 && foci[0].allSatisfy { $0 >= 9 * n / 10 }, "\(foci[0])")
    #expect(foci[1].count == 2 && foci[1].allSatisfy { $0 >= 4 * n / 10 - 1 && $0 <= 6 * n / 10 + 1 })
    #expect(foci[2].isEmpty)
    #expect(foci.allSatisfy { $0 == $0.sorted() && Set($0).count == $0.count })
    #expect(foci.joined().allSatisfy { sampler.positions.contains($0) })
    // The same seed draws the same foci; unit 2 is constant, so all of it lies in one band.
    var again = SeededGenerator(seed: BandSampler.seed)
    #expect(sampler.foci(unit: 0, bands: bands, count: 2, rng: &again) == foci)
    let constant = sampler.foci(
      unit: 2, bands: [Band(label: "all", lower: 0, upper: 1)], count: 5, rng: &again)
    #expect(constant[0].count == 5)
  }

  /// Every sampled position lies in the band with probability proportional to its share of the text:
  /// over many draws, the top-10% band's foci spread evenly across it (a check that the draw among
  /// the candidates is uniform, not the first ones).
  @Test func theBandDrawIsUniformAmongItsCandidates() {
    let n = 50_000
    let sampler = BandSampler(textLength: n, units: 1)
    for p in 0..<n {
      var v = Float(p) / Float(n)
      sampler.observe(position: p, values: &v)
    }
    var rng = SeededGenerator(seed: 11)
    var low = 0, high = 0
    for _ in 0..<2_000 {
      let f = sampler.foci(unit: 0, bands: [Band(label: "top", lower: 0.9, upper: 1)], count: 1, rng: &rng)
      if f[0][0] < 95 * n / 100 { low += 1 } else { high += 1 }
    }
    // Binomial(2000, 1/2): mean 1000, standard deviation 22; 150 is almost 7 of them.
    #expect(abs(low - high) < 300, "\(low) in the lower half of the band, \(high) in the upper")
  }

  @Test func theRangesCoverEveryFocusWithItsContextMergedAndClipped() {
    let ranges = WindowValues.ranges(
      foci: [5, 100, 110, 400, 998], context: 10, prefix: 20, textLength: 1000)
    #expect(ranges == [0..<20, 90..<121, 390..<411, 988..<1000])  // the prefix holds 5 ± 10
    let values = WindowValues(units: [0], cellRanges: [ranges])
    #expect(values.ranges == ranges)
    #expect(values.row(of: 0) == 0 && values.row(of: 19) == 19 && values.row(of: 20) == nil)
    #expect(values.row(of: 90) == 20 && values.row(of: 120) == 50 && values.row(of: 999) == 83)
    #expect(values.row(of: 500) == nil)
    #expect(WindowValues.ranges(foci: [], context: 10, prefix: 0, textLength: 1000).isEmpty)
  }

  /// Each shown cell keeps its own positions only: the entries are the sum of the cells' range
  /// lengths (not the union times the cells), and an observation lands in every cell that needs it.
  @Test func eachCellKeepsOnlyItsOwnPositions() throws {
    let cellRanges = [[0..<10, 50..<60], [55..<70], [200..<205]]
    let values = WindowValues(units: [7, 3, 5], cellRanges: cellRanges)
    #expect(values.ranges == [0..<10, 50..<70, 200..<205])
    #expect(values.entries == 10 + 10 + 15 + 5)
    var unitValues = [Float](repeating: 0, count: 8)
    for p in 0..<300 {
      for u in 0..<8 { unitValues[u] = Float(p * 10 + u) }
      let o = unitValues.withUnsafeBufferPointer { v in
        Observation(
          position: p, stream: 0, values: v.baseAddress!, gates: v.baseAddress!, probs: v.baseAddress!,
          next: nil)
      }
      values.observe(o)
    }
    for (d, unit) in [7, 3, 5].enumerated() {
      for r in cellRanges[d] {
        for p in r { #expect(values.value(d, at: p) == Float(p * 10 + unit), "cell \(d) at \(p)") }
      }
    }
    let w = values.window(1, focus: 60, context: 5, symbols: (0..<300).map { UInt32($0) })
    #expect(w.start == 55 && w.focus == 5 && w.values == (55...65).map { Float($0 * 10 + 3) })
  }
}
