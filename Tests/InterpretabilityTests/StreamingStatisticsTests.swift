import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// Streaming equals batch: every statistic the analysis accumulates online matches the
/// same statistic computed naively from activations stored in full by an independent
/// forward pass (`Reference`: LSTMNetwork<Double>, B = 1, the whole text in one call).
///
/// Run with the default segment and step sizes and with tiny ones (a segment of 211
/// characters, 7 steps per forward call), so that the state carried across segments and
/// partial chunks is exercised.
struct StreamingStatisticsTests {
  static let text = Fixtures.demoText(1500)

  struct Setup: Sendable, CustomTestStringConvertible {
    var segment: Int, steps: Int
    var testDescription: String { "segment \(segment), steps \(steps)" }
  }

  static let setups = [Setup(segment: 1 << 17, steps: 64), Setup(segment: 211, steps: 7)]

  /// One analysis and its reference, shared by the tests below (computed once per setup).
  final class Fixture: Sendable {
    let analysis: Analysis
    let segment: Int
    let reference: Reference
    let features: [TextFeature]
    let featureValues: [[Double]]  // (features, n)

    init(_ setup: Setup) throws {
      let checkpoint = try Fixtures.randomCheckpoint(
        text: StreamingStatisticsTests.text, hidden: 5, layers: 2)
      var options = Fixtures.exact()
      options.segment = setup.segment
      segment = setup.segment
      options.steps = setup.steps
      analysis = try Analyzer(checkpoint: checkpoint, options: options)
        .analyze(text: StreamingStatisticsTests.text, textName: "demo.txt")
      reference = try Reference(checkpoint: checkpoint, text: StreamingStatisticsTests.text)
      features = TextFeatures.all
      let scalars = Array(StreamingStatisticsTests.text.unicodeScalars)
      featureValues = features.map { $0.values(in: scalars).map(Double.init) }
    }

    func cell(_ u: Int) -> CellReport { analysis.cells.first { $0.id == analysis.cellOrder[u] }! }
  }

  static let fixtures: [Fixture] = setups.map { try! Fixture($0) }

  static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-5) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
  }

  @Test func theTextExercisesTheFeatures() throws {
    let f = Self.fixtures[0]
    #expect(f.reference.n == 1500)
    for id in ["in_double_quotes", "is_space", "is_upper", "is_punct", "is_newline"] {
      let values = f.featureValues[f.features.firstIndex { $0.id == id }!]
      #expect(values.contains(1) && values.contains(0), "\(id) never changes")
    }
    #expect(f.analysis.cellOrder.count == 2 * 2 * 5)
  }

  @Test(arguments: [0, 1])
  func perCellMomentsExtremesSaturationAndMemory(setup: Int) throws {
    let f = Self.fixtures[setup], r = f.reference
    #expect(f.analysis.cells.count == r.units)
    for u in 0..<r.units {
      let x = r.values[u], c = f.cell(u)
      #expect(Self.close(c.mean, Naive.mean(x)), "\(c.id) mean \(c.mean) vs \(Naive.mean(x))")
      #expect(Self.close(c.std, Naive.std(x)), "\(c.id) std \(c.std) vs \(Naive.std(x))")
      #expect(Self.close(c.min, x.min()!), "\(c.id) min")
      #expect(Self.close(c.max, x.max()!), "\(c.id) max")
      let saturation = Double(x.filter { abs($0) > 0.9 }.count) / Double(x.count)
      #expect(abs(c.saturation - saturation) <= 1.0 / Double(x.count), "\(c.id) saturation")
      // Lag-1 autocorrelation: the correlation of the series with itself shifted by one.
      // (Cells here include steady ones, |mean| ≫ std, where centring on the whole
      // text's mean instead of the pairs' own would be off by far more than 1/n.)
      let lag = Naive.lagCorrelation(x)
      #expect(abs(c.autocorrelation - lag) < 1e-5, "\(c.id) autocorrelation \(c.autocorrelation) vs \(lag)")
      // The display histogram: 40 equal bins over [-1, 1].
      var histogram = [Int](repeating: 0, count: f.analysis.histogramBins)
      for v in x { histogram[min(39, max(0, Int(((v + 1) / 2 * 40).rounded(.down))))] += 1 }
      #expect(c.histogram.reduce(0, +) == x.count)
      #expect(zip(c.histogram, histogram).map { abs($0 - $1) }.reduce(0, +) <= 2, "\(c.id) histogram")
      // Selectivity: 1 - the fraction of steps farther than 0.5 from the median (the engine
      // finds the median and the distances at its fine-bin resolution, so loosely).
      let median = x.sorted()[x.count / 2]
      let far = Double(x.filter { abs($0 - median) > 0.5 }.count) / Double(x.count)
      #expect(
        abs((far == 0 ? 0 : 1 - far) - c.selectivity) < 0.03,
        "\(c.id) selectivity \(c.selectivity) vs \(1 - far)")
    }
  }

  @Test(arguments: [0, 1])
  func binaryFeatureAUCsAndTheirCharacterBaselines(setup: Int) throws {
    let f = Self.fixtures[setup], r = f.reference
    var largest = 0.0, wide = 0.0, wideBound = 0.0
    for (fi, feature) in f.features.enumerated() where feature.kind == .binary {
      let labels = f.featureValues[fi].map { $0 > 0.5 }
      let summary = f.analysis.features[fi]
      #expect(summary.id == feature.id)
      #expect(Self.close(summary.mean, Naive.mean(f.featureValues[fi])))
      guard labels.contains(true), labels.contains(false) else { continue }
      let baseline = Naive.characterAUC(tokens: r.tokens, labels: labels)
      #expect(Self.close(summary.characterBaseline, baseline, 1e-9), "\(feature.id) baseline")
      for u in 0..<r.units {
        let c = f.cell(u), s = c.scores[fi]
        let auc = Naive.rankAUC(r.values[u], labels)
        let bound = Naive.binnedAUCBound(r.values[u], labels)
        largest = max(largest, abs(s.signed - auc))
        #expect(
          abs(s.signed - auc) <= bound + 1e-9, "\(c.id) \(feature.id): \(s.signed) vs \(auc), bound \(bound)")
        if c.std > 0.1 {
          wide = max(wide, abs(s.signed - auc))
          wideBound = max(wideBound, bound)
        }
        #expect(s.score == max(s.signed, 1 - s.signed))
        #expect(abs(s.gain - (s.score - baseline)) < 1e-6)
      }
    }
    // The pairwise count agrees with the rank formula used above, on one case.
    let q = f.features.firstIndex { $0.id == "in_double_quotes" }!
    let labels = f.featureValues[q].map { $0 > 0.5 }
    #expect(abs(Naive.pairwiseAUC(r.values[0], labels) - Naive.rankAUC(r.values[0], labels)) < 1e-12)
    print(
      "largest |AUC - exact AUC|: \(largest) over all cells, \(wide) over cells with std > 0.1 (bound \(wideBound))"
    )
  }

  @Test(arguments: [0, 1])
  func gradedFeatureCorrelationsAndTheirCharacterBaselines(setup: Int) throws {
    let f = Self.fixtures[setup], r = f.reference
    for (fi, feature) in f.features.enumerated() where feature.kind == .graded {
      let y = f.featureValues[fi], summary = f.analysis.features[fi]
      #expect(Self.close(summary.mean, Naive.mean(y)), "\(feature.id) mean")
      #expect(Self.close(summary.std, Naive.std(y)), "\(feature.id) std")
      guard Naive.std(y) > 0 else { continue }
      let eta = Naive.correlationRatio(tokens: r.tokens, values: y)
      #expect(
        Self.close(summary.characterBaseline, eta, 1e-6),
        "\(feature.id) baseline \(summary.characterBaseline) vs \(eta)")
      for u in 0..<r.units {
        let c = f.cell(u), s = c.scores[fi]
        let rho = Naive.pearson(r.values[u], y)
        #expect(abs(s.signed - rho) < 1e-5, "\(c.id) \(feature.id): r \(s.signed) vs \(rho)")
        #expect(abs(s.score - abs(rho)) < 1e-5)
        #expect(abs(s.gain - (abs(rho) - eta)) < 1e-5)
      }
    }
  }

  @Test(arguments: [0, 1])
  func modelLossAccuracyAndSurprises(setup: Int) throws {
    let f = Self.fixtures[setup], r = f.reference, m = f.analysis.model
    let n = r.n
    #expect(m.characters == n - 1)
    let nats = (0..<(n - 1)).map { r.nats($0) }
    #expect(Self.close(m.natsPerChar, Naive.mean(nats)), "nats/char \(m.natsPerChar) vs \(Naive.mean(nats))")
    #expect(Self.close(m.bitsPerChar, Naive.mean(nats) / log(2.0)))
    var top1 = 0, top5 = 0
    for t in 0..<(n - 1) {
      let p = r.probs[t], truth = p[Int(r.tokens[t + 1])]
      let higher = p.filter { $0 > truth }.count
      if higher == 0 { top1 += 1 }
      if higher < 5 { top5 += 1 }
    }
    #expect(Self.close(m.top1Accuracy, Double(top1) / Double(n - 1)), "top-1 \(m.top1Accuracy) vs \(top1)")
    #expect(Self.close(m.top5Accuracy, Double(top5) / Double(n - 1)), "top-5 \(m.top5Accuracy) vs \(top5)")
    // The most surprising character: the one after the position of largest loss.
    let worst = nats.indices.max { nats[$0] < nats[$1] }!
    let first = try #require(m.surprises.first)
    #expect(first.position == worst + 1)
    #expect(Self.close(first.nats, nats[worst], 1e-4))
    #expect(zip(m.surprises, m.surprises.dropFirst()).allSatisfy { $0.nats >= $1.nats })
    #expect(first.context.symbols[first.context.focus] == Array(Self.text.unicodeScalars)[worst + 1].value)
  }

  @Test(arguments: [0, 1])
  func gateSaturation(setup: Int) throws {
    let f = Self.fixtures[setup], r = f.reference
    #expect(f.analysis.gates.count == r.L * 3)
    for g in f.analysis.gates {
      let gate = ["i": 0, "f": 1, "o": 3][g.gate]!
      for j in 0..<r.H {
        let x = r.gates[g.layer][gate][j], n = Double(r.n)
        #expect(
          abs(g.left[j] - Double(x.filter { $0 < 0.1 }.count) / n) <= 1 / n,
          "L\(g.layer) \(g.gate) \(j) < 0.1")
        #expect(
          abs(g.right[j] - Double(x.filter { $0 > 0.9 }.count) / n) <= 1 / n,
          "L\(g.layer) \(g.gate) \(j) > 0.9")
      }
    }
  }

  @Test(arguments: [0, 1])
  func theExcerptHoldsTheQuantisedValuesPredictionsAndFeatures(setup: Int) throws {
    let f = Self.fixtures[setup], r = f.reference, e = f.analysis.excerpt
    let symbols = Array(Self.text.unicodeScalars).map(\.value)
    #expect(e.symbols == symbols)  // 1500 < the default excerpt of 3000: all of it
    #expect(e.cellValues.count == r.units)
    for u in 0..<r.units {
      for t in 0..<r.n {
        let v = Double(e.cellValues[u][t]) / 127.5 - 1
        #expect(abs(v - r.values[u][t]) <= 1 / 127.5, "cell \(u) at \(t)")
      }
    }
    let vocabulary = try Vocabulary(text: Self.text)
    for t in 0..<r.n {
      let order = r.probs[t].indices.sorted { r.probs[t][$0] > r.probs[t][$1] }
      #expect(e.topSymbols[t].count == 5)
      #expect(e.topSymbols[t][0] == vocabulary.symbols[order[0]], "top guess at \(t)")
      #expect(abs(Double(e.topProbs[t][0]) - r.probs[t][order[0]]) < 1e-5)
      #expect(zip(e.topProbs[t], e.topProbs[t].dropFirst()).allSatisfy { $0 >= $1 })
      let loss = t + 1 < r.n ? r.nats(t) : 0
      #expect(abs(Double(e.loss[t]) - loss) < 1e-4 * max(1, loss), "loss at \(t)")
    }
    for fi in f.features.indices {
      #expect(e.features[fi].map(Double.init) == f.featureValues[fi], "\(f.features[fi].id)")
    }
  }

  @Test(arguments: [0, 1])
  func windowsCarryTheStoredValuesAndTheExtremes(setup: Int) throws {
    let f = Self.fixtures[setup], r = f.reference
    let context = RecorderOptions().context, gap = 2 * context + 1
    let symbols = Array(Self.text.unicodeScalars).map(\.value)
    for u in 0..<r.units {
      let c = f.cell(u), x = r.values[u]
      #expect(!c.topWindows.isEmpty && c.topWindows.count <= RecorderOptions().topK)
      #expect(!c.bottomWindows.isEmpty && c.bottomWindows.count <= RecorderOptions().topK)
      #expect(Self.close(Double(c.topWindows[0].values[c.topWindows[0].focus]), x.max()!), "\(c.id) top")
      #expect(
        Self.close(Double(c.bottomWindows[0].values[c.bottomWindows[0].focus]), x.min()!), "\(c.id) bottom")
      for list in [c.topWindows, c.bottomWindows] {
        let foci = list.map { $0.start + $0.focus }.sorted()
        #expect(zip(foci, foci.dropFirst()).allSatisfy { $1 - $0 >= gap }, "\(c.id) windows overlap")
      }
      for (i, w) in (c.topWindows + c.bottomWindows).enumerated() {
        #expect(w.symbols.count == w.values.count)
        #expect(w.focus >= 0 && w.focus < w.values.count)
        #expect(w.focus <= context && w.values.count - 1 - w.focus <= context)
        // Full context except at the text's ends: the window pass reads around each focus.
        let focus = w.start + w.focus
        #expect(w.focus == min(context, focus), "\(c.id) window \(i) before-context")
        #expect(
          w.values.count - 1 - w.focus == min(context, r.n - 1 - focus), "\(c.id) window \(i) after-context")
        #expect(w.symbols == Array(symbols[w.start..<(w.start + w.symbols.count)]))
        for (k, v) in w.values.enumerated() {
          #expect(abs(Double(v) - x[w.start + k]) < 1e-5, "\(c.id) window \(i) value \(k)")
        }
      }
      for band in c.bands {
        for w in band.windows {
          let v = x[w.start + w.focus]
          #expect(v >= band.lower - 1e-6 && v <= band.upper + 1e-6, "\(c.id) \(band.label): \(v)")
        }
      }
      #expect(c.bands.map(\.label) == ["top 1%", "90–99%", "50–90%", "10–50%", "bottom 10%"])
      #expect(c.bands.allSatisfy { !$0.windows.isEmpty }, "\(c.id) has an empty band")
    }
  }

  @Test func ranksAndTheInterpretableFraction() throws {
    let a = Self.fixtures[0].analysis
    #expect(a.cells.map(\.rank) == Array(1...a.cells.count))
    #expect(Set(a.cells.map(\.id)) == Set(a.cellOrder))
    #expect(a.cellOrder == a.cellOrder.sorted())
    let fraction = Double(a.cells.filter(\.interpretable).count) / Double(a.cells.count)
    #expect(a.interpretableFraction == fraction)
    // Interpretable cells come first.
    let flags = a.cells.map(\.interpretable)
    #expect(flags == flags.sorted { $0 && !$1 })
  }
}
