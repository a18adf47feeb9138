import Foundation
import Testing

@testable import NGramBaseline

/// Deterministic generator for test data (SplitMix64).
struct TestGenerator: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Interpolated KN computed the slow, obvious way: every count by scanning the text.
struct NaiveKneserNey {
  let text: [Int32]
  let vocabularySize: Int
  /// nil: modified KN, discounts from count-of-counts (Chen & Goodman 1998, eq. 26).
  let discount: Double?
  /// [raw ? 1 : 0][k − 1]: the discounts of level k, computed once.
  var table: [[[Double]]] = []

  init(text: [Int32], vocabularySize: Int, discount: Double?, maxOrder: Int) {
    self.text = text
    self.vocabularySize = vocabularySize
    self.discount = discount
    table = [false, true].map { raw in (1...maxOrder).map { computeDiscounts(level: $0, raw: raw) } }
  }

  func occurrences(_ s: [Int32]) -> [Int] {
    guard s.count <= text.count else { return [] }
    return (0...(text.count - s.count)).filter { Array(text[$0..<($0 + s.count)]) == s }
  }

  func count(_ s: [Int32]) -> Int { occurrences(s).count }

  func continuation(_ s: [Int32]) -> Int {
    Set(occurrences(s).filter { $0 > 0 }.map { text[$0 - 1] }).count
  }

  /// D(1), D(2), D(3+) for the k-grams' raw (or continuation) counts.
  func computeDiscounts(level k: Int, raw: Bool) -> [Double] {
    if let discount { return [discount, discount, discount] }
    guard k <= text.count else { return [0.75, 0.75, 0.75] }
    let grams = Set((0...(text.count - k)).map { Array(text[$0..<($0 + k)]) })
    let values = grams.map { raw ? count($0) : continuation($0) }
    let n = (1...4).map { j in Double(values.filter { $0 == j }.count) }
    if n.contains(0) { return [0.75, 0.75, 0.75] }
    let y = n[0] / (n[0] + 2 * n[1])
    let d1 = 1 - 2 * y * n[1] / n[0]
    let d2 = 2 - 3 * y * n[2] / n[1]
    let d3 = 3 - 4 * y * n[3] / n[2]
    if !(d1 > 0 && d1 <= 1 && d2 > 0 && d2 <= 2 && d3 > 0 && d3 <= 3) { return [0.75, 0.75, 0.75] }
    return [d1, d2, d3]
  }

  func probability(_ w: Int32, after history: [Int32], order: Int) -> Double {
    let top = min(order, history.count + 1)
    var p = 1 / Double(vocabularySize)
    for k in 1...top {
      let h = Array(history.suffix(k - 1))
      let all = (0..<vocabularySize).map { Int32($0) }
      let counts = all.map { k == top ? count(h + [$0]) : continuation(h + [$0]) }
      let total = counts.reduce(0, +)
      if total == 0 { continue }
      let d = table[k == top ? 1 : 0][k - 1]
      let discountOf = { (a: Int) -> Double in a == 0 ? 0 : d[min(a, 3) - 1] }
      let mass = counts.map(discountOf).reduce(0, +)
      p = (Double(counts[Int(w)]) - discountOf(counts[Int(w)])) / Double(total) + mass / Double(total) * p
    }
    return p
  }
}

@Suite struct KneserNeyPropertyTests {
  static func randomText(_ length: Int, vocabulary: Int, seed: UInt64) -> [Int32] {
    var generator = TestGenerator(state: seed)
    // Skewed symbols, so some contexts repeat often and some symbols never occur.
    return (0..<length).map { _ in
      Int32(
        min(
          Int.random(in: 0..<vocabulary, using: &generator),
          Int.random(in: 0..<vocabulary, using: &generator)))
    }
  }

  @Test(arguments: [1, 2, 3, 4, 6], [nil, 0.6])
  func matchesNaiveCounting(order: Int, fixed: Double?) throws {
    let text = Self.randomText(300, vocabulary: 5, seed: UInt64(order))
    let discounting = fixed.map { Discounting.fixed($0) } ?? .modified
    let model = try KneserNeyModel(training: text, vocabularySize: 6, order: order, discounting: discounting)
    let naive = NaiveKneserNey(text: text, vocabularySize: 6, discount: fixed, maxOrder: order)
    // The training text's first and last symbols reach the edge cases: substrings seen only
    // at position 0 (no predecessor) or only at the end (no follower).
    let probe =
      Self.randomText(3, vocabulary: 6, seed: 98) + Array(text.prefix(15))
      + Self.randomText(25, vocabulary: 6, seed: 99)
      + Array(text.suffix(15))
    let byOrder = try model.probabilitiesByOrder(of: probe, orders: 1...order)
    for t in probe.indices {
      for m in 1...order {
        let expected = naive.probability(probe[t], after: Array(probe[..<t]), order: m)
        #expect(abs(byOrder[m - 1][t] - expected) < 1e-12, "order \(m) position \(t)")
      }
    }
  }

  @Test(arguments: [1, 2, 3, 5, 8])
  func distributionsSumToOne(order: Int) throws {
    let text = Self.randomText(2000, vocabulary: 9, seed: 7)
    let model = try KneserNeyModel(training: text, vocabularySize: 12, order: order)
    var generator = TestGenerator(state: 1234)
    for trial in 0..<40 {
      let length = Int.random(in: 0...(order + 2), using: &generator)
      // Half the contexts are cut from the training text (seen), half random (often unseen).
      let context: [Int32]
      if trial % 2 == 0, length > 0 {
        let start = Int.random(in: 0..<(text.count - length), using: &generator)
        context = Array(text[start..<(start + length)])
      } else {
        context = (0..<length).map { _ in Int32.random(in: 0..<12, using: &generator) }
      }
      let distribution = try model.distribution(after: context)
      #expect(distribution.allSatisfy { $0 > 0 })
      #expect(abs(distribution.reduce(0, +) - 1) < 1e-9)
    }
  }

  @Test func modifiedDiscountsFromCountOfCounts() {
    // n = 10, 4, 2, 1: Y = 10 / 18; D1 = 1 − 2·Y·4/10, D2 = 2 − 3·Y·2/4, D3 = 3 − 4·Y·1/2.
    let d = KneserNeyModel.estimateDiscounts([10, 4, 2, 1])
    #expect(abs(d[0] - (1 - 2 * (10.0 / 18) * 0.4)) < 1e-15)
    #expect(abs(d[1] - (2 - 3 * (10.0 / 18) * 0.5)) < 1e-15)
    #expect(abs(d[2] - (3 - 4 * (10.0 / 18) * 0.5)) < 1e-15)
    #expect(KneserNeyModel.estimateDiscounts([10, 4, 0, 1]) == [0.75, 0.75, 0.75])
    // n3 ≫ n2 drives D2 = 2 − 3·(10/12)·100 negative: degenerate, fall back.
    #expect(KneserNeyModel.estimateDiscounts([10, 1, 100, 1]) == [0.75, 0.75, 0.75])
  }

  @Test func modifiedDiscountsAreUsedOnRealisticCounts() throws {
    let text = Self.randomText(3000, vocabulary: 8, seed: 11)
    let model = try KneserNeyModel(training: text, vocabularySize: 8, order: 3)
    #expect(model.rawDiscounts.count == 3)
    #expect(model.rawDiscounts[2] != [0.75, 0.75, 0.75])
  }

  @Test func higherOrderLowersLossOnRepetitiveText() throws {
    let phrase = Array("the cat sat on the mat; the rat ate the hat. ".unicodeScalars)
    let symbols = Array(Set(phrase)).sorted { $0.value < $1.value }
    let encode: ([Unicode.Scalar]) -> [Int32] = { text in
      text.map { Int32(symbols.firstIndex(of: $0)!) }
    }
    let training = encode(Array(repeating: phrase, count: 30).flatMap { $0 })
    let held = encode(Array(repeating: phrase, count: 3).flatMap { $0 })
    var previous = Double.infinity
    for order in [1, 2, 3, 5, 8] {
      let model = try KneserNeyModel(training: training, vocabularySize: symbols.count, order: order)
      let loss = try model.logLoss(of: held)
      let mean = loss.reduce(0, +) / Double(loss.count)
      #expect(mean < previous, "order \(order)")
      previous = mean
    }
  }

  @Test func sameInputsGiveSameBits() throws {
    let text = Self.randomText(5000, vocabulary: 20, seed: 3)
    let probe = Self.randomText(500, vocabulary: 20, seed: 4)
    let first = try KneserNeyModel(training: text, vocabularySize: 20, order: 7).logLoss(of: probe)
    let second = try KneserNeyModel(training: text, vocabularySize: 20, order: 7).logLoss(of: probe)
    #expect(first.map(\.bitPattern) == second.map(\.bitPattern))
  }

  @Test func badInputThrowsOneSentence() throws {
    #expect(throws: NGramError.emptyTraining) {
      try KneserNeyModel(training: [], vocabularySize: 3, order: 2)
    }
    #expect(throws: NGramError.orderOutOfRange(21)) {
      try KneserNeyModel(training: [0, 1], vocabularySize: 3, order: 21)
    }
    #expect(throws: NGramError.symbolOutOfVocabulary(symbol: 3, position: 1, vocabularySize: 3)) {
      try KneserNeyModel(training: [0, 3], vocabularySize: 3, order: 2)
    }
    let model = try KneserNeyModel(training: [0, 1, 2], vocabularySize: 3, order: 2)
    #expect(throws: NGramError.symbolOutOfVocabulary(symbol: -1, position: 0, vocabularySize: 3)) {
      try model.logLoss(of: [-1])
    }
    #expect(throws: NGramError.orderOutOfRange(3)) {
      try model.probabilitiesByOrder(of: [0], orders: 1...3)
    }
    #expect(NGramError.emptyTraining.description.hasSuffix("."))
  }
}
