import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// Probes and cell descriptions as the Analyzer collects them, on the planted model of
/// `PlantedCellTests`: cell 0 toggles at every `"` (a perfect quote detector), cell 1 fires on the
/// `"` character itself and nowhere else. Here cell 1's g is tanh(20.3·[char is "] − 0.31), so
/// tanh(c) is +0.76 after a quote and −0.29 elsewhere: its larger side is high, and it is active (at
/// least half its maximum) exactly after reading `"`.
struct AnalyzerProbeTests {
  static func checkpoint() throws -> Checkpoint {
    var checkpoint = try PlantedCellTests.plantedCheckpoint()
    let V = checkpoint.config.vocabSize, H = checkpoint.config.hiddenSize
    let lw = ParameterLayout(checkpoint.config).layers[0]
    let q = Int(checkpoint.vocabulary.index(of: 34)!)
    checkpoint.parameters[lw.weightIH + (2 * H + 1) * V + q] = 20.3
    checkpoint.parameters[lw.biasIH + 2 * H + 1] = -0.31
    return checkpoint
  }

  static func analyze(_ options: RecorderOptions, probes: Bool = true, descriptions: Bool = true) throws
    -> Analysis
  {
    var analyzer = try Analyzer(checkpoint: checkpoint(), options: options)
    analyzer.probes = probes
    analyzer.descriptions = descriptions
    return try analyzer.analyze(text: PlantedCellTests.text, textName: "planted.txt")
  }

  @Test(arguments: [0, 1])
  func quoteFeatureLivesInTheToggleCell(mode: Int) throws {
    let (name, options) = PlantedCellTests.modes[mode]
    let analysis = try Self.analyze(options)
    let probes = try #require(analysis.probes, "\(name): probes missing")
    let quotes = try #require(probes.first { $0.feature == "in_double_quotes" })
    #expect(analysis.probeFailures?["in_double_quotes"] == nil)
    #expect(quotes.verdict == .oneCell, "\(name): \(quotes.summary)")
    #expect(quotes.summary.hasPrefix("lives in one cell"))
    let first = try #require(quotes.steps.first)
    #expect(first.k == 1 && !first.allCells)
    // Columns of the sample are units in `cellOrder` order; c 0 and h 0 (≈ o·tanh(c 0)) both toggle.
    let cell = analysis.cellOrder[try #require(first.cells.first)]
    #expect(cell.layer == 0 && cell.index == 0, "\(name): k = 1 picked \(cell)")
    #expect(first.score > 0.98, "\(name): held-out AUC \(first.score)")
    // Every sampled position (the text is under 10,000 characters) in fit or held-out part.
    #expect(quotes.fitPositions + quotes.heldOutPositions == PlantedCellTests.text.unicodeScalars.count)
    // One result or one reason per feature, in the features' order.
    #expect(probes.count + (analysis.probeFailures?.count ?? 0) == analysis.features.count)
    let order = analysis.features.map(\.id).filter { id in probes.contains { $0.feature == id } }
    #expect(probes.map(\.feature) == order)
  }

  @Test func probesAndDescriptionsAreDeterministic() throws {
    let a = try Self.analyze(PlantedCellTests.modes[1].1)
    let b = try Self.analyze(PlantedCellTests.modes[1].1)
    #expect(a.probes == b.probes)
    #expect(a.probeFailures == b.probeFailures)
    #expect(a.cells.map(\.description) == b.cells.map(\.description))
    #expect(a.cells.map(\.role) == b.cells.map(\.role))
  }

  @Test func quoteCharacterCellIsDescribedByTheQuote() throws {
    let analysis = try Self.analyze(PlantedCellTests.modes[0].1)
    #expect(analysis.descriptionCharacters == PlantedCellTests.text.unicodeScalars.count)
    for state in [CellState.c, .h] {
      let fire = try #require(analysis.cells.first { $0.id == CellID(layer: 0, state: state, index: 1) })
      #expect((fire.best?.gain ?? 0) < CellScoring.gainThreshold)
      let description = try #require(fire.description, "\(state): not described")
      let best = try #require(description.patterns.first)
      // The cell is +0.76 exactly after reading `"` and −0.29 elsewhere, so on any part of the text `"` precedes every active position and nothing else does.
      #expect(best.symbols == [34], "\(state): best pattern \(best.pattern)")
      #expect(best.precision == 1 && best.recall == 1 && best.f1 == 1)
      #expect(description.direction == "high")
      #expect(fire.role.contains(description.sentence), "role: \(fire.role)")
      // Interpretable cells are not described.
      let toggle = try #require(analysis.cells.first { $0.id == CellID(layer: 0, state: state, index: 0) })
      #expect(toggle.description == nil)
      #expect(!toggle.role.contains("high after"))
    }
  }

  @Test func switchedOffTheyAreAbsent() throws {
    let analysis = try Self.analyze(PlantedCellTests.modes[0].1, probes: false, descriptions: false)
    #expect(analysis.probes == nil && analysis.probeFailures == nil)
    #expect(analysis.descriptionCharacters == nil)
    #expect(analysis.cells.allSatisfy { $0.description == nil })
    #expect(analysis.cells.allSatisfy { !$0.role.contains("high after") && !$0.role.contains("low after") })
  }

  /// The control and the training-time emergence probe analyse with `displayCells: 0` for scores only:
  /// they must not pay for probes.
  @Test func scoresOnlyAnalysisSkipsProbes() throws {
    let analysis = try Analyzer(checkpoint: Self.checkpoint(), options: PlantedCellTests.modes[0].1)
      .analyze(text: PlantedCellTests.text, textName: "planted.txt", displayCells: 0)
    #expect(analysis.probes == nil && analysis.probeFailures == nil)
    #expect(analysis.cells.allSatisfy { $0.description == nil })
  }

  @Test func sampleIsTwentyRunsOfFiveHundredCoveringTheText() {
    let n = 123_457
    let sampler = ProbeSampler(textLength: n, units: 1, features: 1)
    #expect(sampler.positions == 10_000)
    var rows: [Int] = []
    var runStarts: [Int] = []
    for p in 0..<n {
      guard let r = sampler.row(of: p) else { continue }
      if r % 500 == 0 { runStarts.append(p) }
      // Rows follow the text: each row is one more than the last sampled position's.
      #expect(r == rows.count, "position \(p) row \(r)")
      if r != rows.count { return }
      rows.append(p)
    }
    #expect(rows.count == 10_000)
    #expect(rows.first == 0 && rows.last == n - 1)
    #expect(runStarts.count == 20)
    // Runs of 500 consecutive positions, evenly spread (gaps differ by at most one character).
    for r in 0..<20 { #expect(rows[r * 500 + 499] - rows[r * 500] == 499) }
    let gaps = zip(runStarts.dropFirst(), runStarts).map { $0 - $1 }
    #expect(gaps.max()! - gaps.min()! <= 1)
    // A short text is sampled whole.
    let short = ProbeSampler(textLength: 777, units: 2, features: 3)
    #expect(short.positions == 777)
    #expect((0..<777).allSatisfy { short.row(of: $0) == $0 })
  }
}

/// The added analysis time of probes and descriptions on the demo-sized case (300,000 characters of
/// the demo corpus, 2 × 128, 24 shown cells). Off by default: `CELLSCOPE_PROBE_ANALYSIS_BENCH=1`.
struct AnalyzerProbeBenchmark {
  @Test(.enabled(if: ProcessInfo.processInfo.environment["CELLSCOPE_PROBE_ANALYSIS_BENCH"] == "1"))
  func demoSizedAnalysisCost() throws {
    let text = Fixtures.demoText(300_000)
    let checkpoint = try Fixtures.randomCheckpoint(text: text, hidden: 128, layers: 2, forgetBias: 3)
    func time(probes: Bool, descriptions: Bool) throws -> (Double, Analysis) {
      // Fast mode: the probes' and descriptions' cost does not depend on the recording mode.
      var analyzer = Analyzer(checkpoint: checkpoint, options: Fixtures.fast(streams: 32, warmup: 256))
      analyzer.probes = probes
      analyzer.descriptions = descriptions
      let start = Date()
      let analysis = try analyzer.analyze(text: text, textName: "demo", displayCells: 24)
      return (Date().timeIntervalSince(start), analysis)
    }
    let (plain, _) = try time(probes: false, descriptions: false)
    let (withProbes, _) = try time(probes: true, descriptions: false)
    let (both, analysis) = try time(probes: true, descriptions: true)
    let described = analysis.cells.filter { $0.description != nil }.count
    print(
      String(
        format:
          "analysis 300k × 2x128: plain %.1f s, +probes %.1f s, +probes+descriptions %.1f s (%d cells described)",
        plain, withProbes, both, described))
    #expect(analysis.probes?.isEmpty == false)
  }

  /// The probes alone on 2x128's 512 units and the built-in features, at N = 20,000 and 10,000.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["CELLSCOPE_PROBE_ANALYSIS_BENCH"] == "1"))
  func probeCostBySampleSize() throws {
    let text = Fixtures.demoText(300_000)
    let checkpoint = try Fixtures.randomCheckpoint(text: text, hidden: 128, layers: 2, forgetBias: 3)
    let analyzer = Analyzer(checkpoint: checkpoint)
    let U = 512, F = analyzer.features.count
    for runs in [40, 20] {
      let sampler = ProbeSampler(textLength: text.unicodeScalars.count, units: U, features: F, runs: runs)
      var rng = SeededGenerator(seed: 5)
      var v = [Float](repeating: 0, count: U), f = [Float](repeating: 0, count: F)
      for p in 0..<text.unicodeScalars.count where sampler.row(of: p) != nil {
        for u in 0..<U { v[u] = Float(rng.below(1000)) / 500 - 1 }
        for k in 0..<F { f[k] = Float(rng.below(2)) }
        sampler.observe(position: p, values: v, features: f)
      }
      let start = Date()
      let (results, failures) = analyzer.runProbes(sampler)
      print(
        String(
          format: "probes N = %d × U = %d, %d features: %.1f s (%d results, %d failures)", sampler.positions,
          U, F,
          Date().timeIntervalSince(start), results.count, failures.count))
    }
  }
}
