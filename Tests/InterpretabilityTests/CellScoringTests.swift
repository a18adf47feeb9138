import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// The scoring helpers against naive formulas and hand-computed examples, and the exports.
struct CellScoringTests {
  // MARK: AUC from histograms

  /// Random scores in 50 bins, labels leaning on the score: the histogram AUC equals
  /// the pairwise AUC of the binned scores exactly (ties count half in both), and the
  /// pairwise AUC of the unbinned scores within the bound it reports.
  @Test(arguments: [1, 2, 3, 4, 5])
  func histogramAUCMatchesPairwiseCounting(seed: UInt64) {
    var rng = SeededGenerator(seed: seed)
    let bins = 50, n = 600
    var scores: [Double] = [], labels: [Bool] = []
    for _ in 0..<n {
      let x = rng.uniform(0, 1)
      scores.append(x)
      labels.append(rng.uniform(0, 1) < 0.2 + 0.6 * x * Double(seed % 3) / 2)
    }
    let binOf = scores.map { min(bins - 1, Int($0 * Double(bins))) }
    var positive = [UInt32](repeating: 0, count: bins), all = positive
    for (b, l) in zip(binOf, labels) {
      all[b] += 1
      if l { positive[b] += 1 }
    }
    let (auc, bound) = CellScoring.auc(positive: positive[...], all: all[...])
    let binned = Naive.pairwiseAUC(binOf.map(Double.init), labels)
    let exact = Naive.pairwiseAUC(scores, labels)
    #expect(abs(auc - binned) < 1e-12, "histogram \(auc) vs pairwise on bins \(binned)")
    #expect(abs(auc - exact) <= bound + 1e-12, "histogram \(auc) vs exact \(exact), bound \(bound)")
    // The bound is half the fraction of (positive, negative) pairs sharing a bin.
    let P = Double(labels.filter { $0 }.count), N = Double(n) - P
    var shared = 0.0
    for b in 0..<bins { shared += Double(positive[b]) * Double(all[b] - positive[b]) }
    #expect(abs(bound - 0.5 * shared / (P * N)) < 1e-12)
  }

  @Test func histogramAUCEdgeCases() {
    // Perfect separation, either way round.
    #expect(CellScoring.auc(positive: [0, 0, 3, 2][...], all: [4, 1, 3, 2][...]).auc == 1)
    #expect(CellScoring.auc(positive: [3, 2, 0, 0][...], all: [3, 2, 4, 1][...]).auc == 0)
    // Everything in one bin: all ties, AUC 0.5 with the largest bound, 0.5.
    let tied = CellScoring.auc(positive: [0, 7, 0][...], all: [0, 10, 0][...])
    #expect(tied.auc == 0.5 && tied.bound == 0.5)
    // No positives or no negatives: no ranking to measure.
    #expect(CellScoring.auc(positive: [0, 0][...], all: [3, 4][...]) == (0.5, 0))
    #expect(CellScoring.auc(positive: [3, 4][...], all: [3, 4][...]) == (0.5, 0))
    // Hand-computed: bins 0..2 with (pos, neg) = (1, 2), (1, 1), (2, 0).
    // Pairs: 4·3 = 12. Wins: bin 1's positive beats 2 negatives, bin 2's two beat 3 each;
    // ties: bin 0: 1·2, bin 1: 1·1 → (2 + 6 + 1.5) / 12.
    let hand = CellScoring.auc(positive: [1, 1, 2][...], all: [3, 2, 2][...])
    #expect(abs(hand.auc - 9.5 / 12) < 1e-12)
    #expect(abs(hand.bound - 0.5 * 3 / 12) < 1e-12)
  }

  // MARK: What the current character alone achieves

  @Test func characterAUCOfAFeatureTheCharacterDetermines() {
    // Each character always or never on: AUC 1.
    #expect(CellScoring.characterAUC(counts: [(3, 3), (0, 5), (2, 2), (0, 1)]) == 1)
  }

  @Test func characterAUCOfAFeatureIndependentOfTheCharacter() {
    // Every character on at the same rate (1/4): no character tells anything, 0.5.
    #expect(abs(CellScoring.characterAUC(counts: [(1, 4), (2, 8), (3, 12)]) - 0.5) < 1e-12)
    // Never on, or always on: 0.5 by convention.
    #expect(CellScoring.characterAUC(counts: [(0, 4), (0, 8)]) == 0.5)
    #expect(CellScoring.characterAUC(counts: [(4, 4), (8, 8)]) == 0.5)
  }

  @Test func characterAUCByHand() {
    // A: 2 of 4 on, B: 0 of 2, C: 1 of 1; an unseen character (0 of 0) is ignored.
    // Order by rate B (0) < A (0.5) < C (1). P = 3, N = 4, 12 pairs.
    // C's positive beats all 4 negatives: 4. A's 2 positives beat B's 2 negatives: 4,
    // and tie with A's 2 negatives: 2·2·½ = 2. AUC = 10/12.
    #expect(abs(CellScoring.characterAUC(counts: [(2, 4), (0, 2), (1, 1), (0, 0)]) - 10.0 / 12) < 1e-12)
    // Characters with equal rates are one tie group whatever their order: A (1 of 2) and
    // D (2 of 4) tie at 0.5 with each other, above B. P = 3, N = 5 (1 + 2 + 2), 15 pairs.
    // Positives beat B's 2 negatives: 3·2 = 6; tie with the group's 3 negatives: 3·3·½.
    let grouped = CellScoring.characterAUC(counts: [(1, 2), (0, 2), (2, 4)])
    #expect(abs(grouped - (6 + 4.5) / 15) < 1e-12)
    #expect(grouped == CellScoring.characterAUC(counts: [(2, 4), (0, 2), (1, 2)]))
  }

  @Test(arguments: [7, 8, 9])
  func characterAUCEqualsTheAUCOfScoringByTheCharactersRate(seed: UInt64) {
    var rng = SeededGenerator(seed: seed)
    let V = 12
    let rates = (0..<V).map { _ in rng.uniform(0, 1) }
    var tokens: [Int32] = [], labels: [Bool] = []
    for _ in 0..<800 {
      let c = rng.below(V)
      tokens.append(Int32(c))
      labels.append(rng.uniform(0, 1) < rates[c])
    }
    var counts = [(positives: Double, total: Double)](repeating: (0, 0), count: V)
    for (t, l) in zip(tokens, labels) {
      counts[Int(t)].total += 1
      if l { counts[Int(t)].positives += 1 }
    }
    let naive = Naive.characterAUC(tokens: tokens, labels: labels)
    #expect(abs(CellScoring.characterAUC(counts: counts) - naive) < 1e-12)
  }

  // MARK: Correlation ratio and Pearson r

  @Test func correlationRatioByHand() {
    // Character a: values 1, 3; character b: 5, 7. Mean 4, variance (9+1+1+9)/4 = 5.
    // Between-character variance: (2·(2-4)² + 2·(6-4)²)/4 = 4. η = √(4/5).
    let eta = CellScoring.correlationRatio(
      count: [2, 2], sum: [4, 12], total: 4, totalSum: 16, totalSumSq: 84)
    #expect(abs(eta - (0.8).squareRoot()) < 1e-12)
    // A value the character determines: η = 1 (a: 2, 2; b: 5; c: 9, 9, 9).
    let determined = CellScoring.correlationRatio(
      count: [2, 1, 3], sum: [4, 5, 27], total: 6, totalSum: 36, totalSumSq: 8 + 25 + 243)
    #expect(abs(determined - 1) < 1e-12)
    // Equal means per character: η = 0 (a: 1, 3; b: 0, 4).
    let none = CellScoring.correlationRatio(
      count: [2, 2], sum: [4, 4], total: 4, totalSum: 8, totalSumSq: 26)
    #expect(abs(none) < 1e-12)
    // A constant feature: 0, not NaN.
    #expect(CellScoring.correlationRatio(count: [3], sum: [6], total: 3, totalSum: 6, totalSumSq: 12) == 0)
    #expect(CellScoring.correlationRatio(count: [], sum: [], total: 0, totalSum: 0, totalSumSq: 0) == 0)
  }

  @Test(arguments: [21, 22, 23])
  func pearsonMatchesTheTextbookFormula(seed: UInt64) {
    var rng = SeededGenerator(seed: seed)
    let x = (0..<500).map { _ in rng.uniform(-1, 1) }
    let y = x.map { 3 * $0 * (Double(seed) - 22) + rng.uniform(-1, 1) + 10 }  // r < 0, ≈ 0, > 0
    var sx = 0.0, sxx = 0.0, sy = 0.0, syy = 0.0, sxy = 0.0
    for (a, b) in zip(x, y) {
      sx += a
      sxx += a * a
      sy += b
      syy += b * b
      sxy += a * b
    }
    let r = CellScoring.pearson(n: 500, sx: sx, sxx: sxx, sy: sy, syy: syy, sxy: sxy)
    #expect(abs(r - Naive.pearson(x, y)) < 1e-9, "r \(r) vs \(Naive.pearson(x, y))")
    // Perfectly (anti)correlated, and a constant.
    let line = CellScoring.pearson(n: 3, sx: 6, sxx: 14, sy: -12, syy: 56, sxy: -28)  // y = -2x, x = 1, 2, 3
    #expect(abs(line + 1) < 1e-12)
    #expect(CellScoring.pearson(n: 3, sx: 3, sxx: 3, sy: 6, syy: 14, sxy: 6) == 0)  // x ≡ 1
  }

  // MARK: Roles and the threshold

  @Test func rolesInWords() {
    let quotes = TextFeatures.feature(id: "in_double_quotes")!,
      depth = TextFeatures.feature(id: "paren_depth")!
    let on = FeatureScore(feature: quotes.id, score: 0.97, signed: 0.97, gain: 0.31)
    #expect(
      CellScoring.role(on, feature: quotes)
        == "inside double quotes, AUC 0.97, +0.31 over the current character")
    let off = FeatureScore(feature: quotes.id, score: 0.9, signed: 0.1, gain: 0.25)
    #expect(CellScoring.role(off, feature: quotes).hasPrefix("inside double quotes (off inside), AUC 0.90"))
    let graded = FeatureScore(feature: depth.id, score: 0.6, signed: -0.6, gain: -0.05)
    #expect(
      CellScoring.role(graded, feature: depth) == "\(depth.name), r = −0.60, −0.05 over the current character"
    )
    #expect(CellScoring.isInterpretable(on, kind: .binary))
    #expect(
      !CellScoring.isInterpretable(
        FeatureScore(feature: "x", score: 0.97, signed: 0.97, gain: 0.05), kind: .binary))
    #expect(
      !CellScoring.isInterpretable(
        FeatureScore(feature: "x", score: 0.8, signed: 0.8, gain: 0.3), kind: .binary))
    #expect(
      CellScoring.isInterpretable(
        FeatureScore(feature: "x", score: 0.6, signed: 0.6, gain: 0.2), kind: .graded))
  }

  // MARK: Exports

  static let analysis: Analysis = {
    let text = Fixtures.quotedText(characters: 1200, seed: 4)
    let checkpoint = try! Fixtures.randomCheckpoint(text: text, hidden: 3, layers: 2)
    var options = Fixtures.exact()
    options.excerpt = 200
    return try! Analyzer(checkpoint: checkpoint, options: options).analyze(
      text: text, textName: "q, \"1\".txt")
  }()

  @Test func cellsCSVHasAHeaderAndOneRowPerCell() throws {
    var a = Self.analysis
    a.cells[1].role = "says \"hi\", then, stops"  // commas and quotes must survive
    let rows = parseCSV(cellsCSV(a))
    let header = try #require(rows.first)
    for column in ["layer", "state", "index", "best_feature", "score", "gain", "saturation", "selectivity"] {
      #expect(header.contains(column), "no \(column) column")
    }
    let body = rows.dropFirst()
    #expect(body.count == a.cells.count && a.cells.count == 2 * 2 * 3)
    #expect(body.allSatisfy { $0.count == header.count }, "a row with a stray comma")
    func column(_ name: String) -> Int { header.firstIndex(of: name)! }
    var seen = Set<CellID>()
    for (row, cell) in zip(body, a.cells) {
      let id = CellID(
        layer: Int(row[column("layer")])!, state: CellState(rawValue: row[column("state")])!,
        index: Int(row[column("index")])!)
      #expect(id == cell.id)
      seen.insert(id)
      #expect(row[column("best_feature")] == (cell.best?.feature ?? ""))
      if let best = cell.best {
        #expect(abs(Double(row[column("score")])! - best.score) < 1e-4)
        #expect(abs(Double(row[column("gain")])! - best.gain) < 1e-4)
      }
      #expect(abs(Double(row[column("saturation")])! - cell.saturation) < 1e-4)
      #expect(abs(Double(row[column("selectivity")])! - cell.selectivity) < 1e-4)
      if let r = header.firstIndex(of: "role") { #expect(row[r] == cell.role) }
    }
    #expect(seen == Set(a.cellOrder))
    #expect(csvField("plain") == "plain")
    #expect(csvField("a,b") == "\"a,b\"")
    #expect(csvField("say \"x\"") == "\"say \"\"x\"\"\"")
    #expect(csvField("two\nlines") == "\"two\nlines\"")
  }

  @Test func analysisJSONParsesBackWithTheCells() throws {
    let a = Self.analysis
    let json = try analysisJSON(a)
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
    let root = try #require(object as? [String: Any])
    let cells = try #require(root["cells"] as? [[String: Any]])
    #expect(cells.count == a.cells.count)
    let first = try #require(cells.first)
    let id = try #require(first["id"] as? [String: Any])
    #expect(id["layer"] as? Int == a.cells[0].id.layer)
    #expect(id["state"] as? String == a.cells[0].id.state.rawValue)
    #expect(id["index"] as? Int == a.cells[0].id.index)
    #expect(first["rank"] as? Int == 1)
    #expect((first["scores"] as? [Any])?.count == TextFeatures.all.count)
    #expect(root["textName"] as? String == "q, \"1\".txt")
    let features = try #require(root["features"] as? [[String: Any]])
    #expect(features.map { $0["id"] as? String } == TextFeatures.all.map(\.id))
    let model = try #require(root["model"] as? [String: Any])
    #expect(abs((model["bitsPerChar"] as? Double ?? -1) - a.model.bitsPerChar) < 1e-9)
    // The excerpt's per-cell values are left to the explorer's data file.
    let excerpt = try #require(root["excerpt"] as? [String: Any])
    #expect((excerpt["cellValues"] as? [Any])?.isEmpty == true)
    // Decodes back to the same analysis.
    let back = try JSONDecoder().decode(Analysis.self, from: Data(json.utf8))
    #expect(back.cells.map(\.id) == a.cells.map(\.id))
    #expect(back.cells.map(\.role) == a.cells.map(\.role))
    // Same input, same bytes.
    #expect(try analysisJSON(a) == json)
  }
}
