import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// Fast mode (the text cut into 8 streams run as a batch, each warmed up on the 128
/// characters before its start) agrees with exact mode (one stream from the first
/// character) on a 6000-character text.
///
/// The model is random (L = 2, H = 5, weights uniform in ±0.5) with 2 added to its
/// forget-gate biases, so that f ≈ 0.7-0.92 and cells remember tens of characters (a
/// model that forgets within a few characters would make the modes agree trivially;
/// with 3 added, some cells latch, bistable, and a stream that warmed up into the other
/// state stays there: the warm-up needed grows without bound, as for any toggle).
///
/// Why the tolerances: the modes differ only in the state each stream starts recording
/// from. Stream 0 starts at the beginning of the text in both; the 7 others start from
/// a state built on 128 characters instead of the whole history. A start-state error
/// decays like a product of forget gates, so it is tiny after 128 characters and fades
/// further within tens of characters. An AUC or a saturation fraction can move by at
/// most the fraction of positions whose values moved across a threshold, so even if
/// every cell were off for 15 characters after each of the 7 starts, 7·15/6000 ≈ 0.018
/// < 0.02; a mean or std of values in [-1, 1] moves by less than 0.01 unless more than
/// about 0.5% of positions move by 1. Without a warm-up (the last test) the differences
/// exceed these tolerances, so they do catch an unwarmed or misplaced stream.
struct FastModeTests {
  static let text = Fixtures.demoText(6000, seed: 3)
  static let streams = 8, warmup = 128

  static func checkpoint() throws -> Checkpoint {
    try Fixtures.randomCheckpoint(text: text, hidden: 5, layers: 2, forgetBias: 2)
  }

  final class Pair: Sendable {
    let exact: Analysis, fast: Analysis
    init(warmup: Int = FastModeTests.warmup) throws {
      let checkpoint = try FastModeTests.checkpoint()
      exact = try Analyzer(checkpoint: checkpoint, options: Fixtures.exact())
        .analyze(text: FastModeTests.text, textName: "demo.txt")
      fast = try Analyzer(
        checkpoint: checkpoint, options: Fixtures.fast(streams: FastModeTests.streams, warmup: warmup)
      )
      .analyze(text: FastModeTests.text, textName: "demo.txt")
    }

    func cells(_ id: CellID) -> (CellReport, CellReport) {
      (exact.cells.first { $0.id == id }!, fast.cells.first { $0.id == id }!)
    }

    /// The largest difference in any cell's mean, std or score between the modes.
    func largestDifference() -> Double {
      var worst = 0.0
      for id in exact.cellOrder {
        let (a, b) = cells(id)
        worst = max(worst, abs(a.mean - b.mean), abs(a.std - b.std))
        for (s, t) in zip(a.scores, b.scores) { worst = max(worst, abs(s.signed - t.signed)) }
      }
      return worst
    }
  }

  static let pair = try! Pair()

  @Test func bothModesSeeEveryCharacterOnce() throws {
    let (e, f) = (Self.pair.exact, Self.pair.fast)
    let n = Self.text.unicodeScalars.count
    #expect(n == 6000)
    #expect(e.mode == "exact" && e.streams == 1 && e.warmup == 0)
    #expect(f.mode == "fast" && f.streams == Self.streams && f.warmup == Self.warmup)
    #expect(e.model.characters == n - 1 && f.model.characters == n - 1)
    #expect(e.textCharacters == n && f.textCharacters == n)
    // Feature statistics depend on the text alone.
    for (a, b) in zip(e.features, f.features) {
      #expect(a.id == b.id)
      #expect(
        abs(a.mean - b.mean) < 1e-12 && abs(a.characterBaseline - b.characterBaseline) < 1e-12, "\(a.id)")
    }
  }

  @Test func quoteAUCsMeansAndDeviationsAgree() throws {
    let p = Self.pair
    let q = try #require(p.exact.features.firstIndex { $0.id == "in_double_quotes" })
    #expect(p.exact.features[q].mean > 0.05, "the text needs quotations")
    var worstAUC = (0.0, ""), worstMean = (0.0, ""), worstStd = (0.0, "")
    for id in p.exact.cellOrder {
      let (a, b) = p.cells(id)
      let dAUC = abs(a.scores[q].signed - b.scores[q].signed)
      let dMean = abs(a.mean - b.mean), dStd = abs(a.std - b.std)
      if dAUC > worstAUC.0 { worstAUC = (dAUC, "\(id)") }
      if dMean > worstMean.0 { worstMean = (dMean, "\(id)") }
      if dStd > worstStd.0 { worstStd = (dStd, "\(id)") }
      #expect(dAUC < 0.02, "\(id) quote AUC \(a.scores[q].signed) exact vs \(b.scores[q].signed) fast")
      #expect(dMean < 0.01, "\(id) mean \(a.mean) vs \(b.mean)")
      #expect(dStd < 0.01, "\(id) std \(a.std) vs \(b.std)")
    }
    print("fast vs exact, largest differences: quote AUC \(worstAUC), mean \(worstMean), std \(worstStd)")
  }

  @Test func everyScoreAndTheModelFiguresAgree() throws {
    let p = Self.pair
    var worst = (0.0, "")
    for id in p.exact.cellOrder {
      let (a, b) = p.cells(id)
      for (s, t) in zip(a.scores, b.scores) {
        let d = abs(s.signed - t.signed)
        if d > worst.0 { worst = (d, "\(id) \(s.feature)") }
        #expect(d < 0.02, "\(id) \(s.feature): \(s.signed) exact vs \(t.signed) fast")
      }
      #expect(abs(a.autocorrelation - b.autocorrelation) < 0.02, "\(id) autocorrelation")
      #expect(abs(a.saturation - b.saturation) < 0.01, "\(id) saturation")
    }
    print("fast vs exact, largest score difference over all features: \(worst)")
    let (e, f) = (p.exact.model, p.fast.model)
    #expect(
      abs(e.natsPerChar - f.natsPerChar) < 0.01 * e.natsPerChar,
      "nats/char \(e.natsPerChar) vs \(f.natsPerChar)")
    #expect(abs(e.top1Accuracy - f.top1Accuracy) < 0.01)
    #expect(abs(e.top5Accuracy - f.top5Accuracy) < 0.01)
    for (g, h) in zip(p.exact.gates, p.fast.gates) {
      #expect(zip(g.left, h.left).allSatisfy { abs($0 - $1) < 0.01 }, "L\(g.layer) \(g.gate)")
      #expect(zip(g.right, h.right).allSatisfy { abs($0 - $1) < 0.01 }, "L\(g.layer) \(g.gate)")
    }
  }

  /// The excerpt's colours barely move: at most one quantisation step anywhere.
  @Test func theExcerptAgrees() throws {
    let (e, f) = (Self.pair.exact.excerpt, Self.pair.fast.excerpt)
    #expect(e.symbols == f.symbols && e.symbols.count == 3000)
    var moved = 0
    for (a, b) in zip(e.cellValues, f.cellValues) {
      for (x, y) in zip(a, b) where x != y {
        moved += 1
        #expect(abs(Int(x) - Int(y)) <= 1)
      }
    }
    print("excerpt values that moved by one step between modes: \(moved) of \(e.cellValues.count * 3000)")
  }

  /// Fast mode's windows hold the values exact mode records at the same positions.
  @Test func fastWindowsMatchExactValues() throws {
    let checkpoint = try Self.checkpoint()
    let reference = try Reference(checkpoint: checkpoint, text: Self.text)
    let a = Self.pair.fast
    var worst = 0.0
    for (u, id) in a.cellOrder.enumerated() {
      let c = try #require(a.cells.first { $0.id == id })
      #expect(!c.topWindows.isEmpty)
      for w in c.topWindows + c.bottomWindows + c.bands.flatMap(\.windows) {
        for (k, v) in w.values.enumerated() {
          worst = max(worst, abs(Double(v) - reference.values[u][w.start + k]))
        }
      }
    }
    #expect(worst < 1e-3, "largest window value difference \(worst)")
  }

  /// Without a warm-up, streams start from a zero state and the statistics move much
  /// more: the warm-up is what makes fast mode agree.
  @Test func theWarmUpIsWhatMakesThemAgree() throws {
    let cold = try Pair(warmup: 0)
    let withWarmUp = Self.pair.largestDifference(), without = cold.largestDifference()
    print(
      "fast vs exact, largest difference: \(withWarmUp) with a 128-character warm-up, \(without) with none")
    #expect(without > 10 * withWarmUp)
    #expect(without > 0.02)
  }
}
