import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// Descriptions on constructed text: a cell planted to be high exactly after "www." is found with
/// F1 1, a random cell gets no good pattern, and the held-out precision and recall are recounted
/// naively here.
struct CellDescriptionTests {
  /// Random words of letters without "w", with "www." planted often and decoys that share its
  /// shorter suffixes ("xww.", "aw.", "www" without the dot), so only "www." itself is perfect.
  static func text(seed: UInt64, length: Int) -> [Unicode.Scalar] {
    var rng = SeededGenerator(seed: seed)
    let letters = Array("abcdefghijklmnopqrstuvxyz .,\n".unicodeScalars)
    let pieces = ["www.", "xww.", "aw.", "wwwa"]
    var out: [Unicode.Scalar] = []
    while out.count < length {
      if rng.below(6) == 0 {
        out += pieces[rng.below(pieces.count)].unicodeScalars
      } else {
        out.append(letters[rng.below(letters.count)])
      }
    }
    return Array(out.prefix(length))
  }

  /// Whether the text ending at position t ends with `pattern`, by comparing strings.
  static func endsWith(_ text: [Unicode.Scalar], _ t: Int, _ pattern: String) -> Bool {
    var s = String.UnicodeScalarView()
    s.append(contentsOf: text[max(0, t - 9)...t])
    return String(s).hasSuffix(pattern)
  }

  @Test func cellHighAfterWWWDotIsFound() throws {
    let text = Self.text(seed: 1, length: 30_000)
    var rng = SeededGenerator(seed: 2)
    let values = text.indices.map { t in
      Self.endsWith(text, t, "www.") ? Float(0.9) : Float(rng.uniform(-0.3, 0.3))
    }
    let d = try CellDescriptions.describe(
      symbols: text.map(\.value), values: values, maximum: 0.9, minimum: -0.3)
    #expect(d.direction == "high")
    #expect(d.threshold == 0.45)
    let best = try #require(d.patterns.first)
    #expect(best.pattern == "www.")
    #expect(best.f1 > 0.999 && best.precision > 0.999 && best.recall > 0.999)
    #expect(d.sentence == "high after `www.` (F1 1.00)")
    try Self.checkCounts(d, text: text, values: values, block: 2000)
  }

  /// A cell with no relation to the text: no pattern reaches F1 0.5 on the held-out part.
  @Test func randomCellHasNoGoodPattern() throws {
    let text = Self.text(seed: 3, length: 20_000)
    var rng = SeededGenerator(seed: 4)
    let values = text.map { _ in Float(rng.uniform(-1, 1)) }
    let d = try CellDescriptions.describe(
      symbols: text.map(\.value), values: values, maximum: 1, minimum: -1)
    #expect(!d.patterns.isEmpty)
    #expect(d.patterns.allSatisfy { $0.f1 < 0.5 })
    try Self.checkCounts(d, text: text, values: values, block: 2000)
  }

  /// A mostly negative cell is described on its low side: active where value ≤ minimum / 2.
  @Test func negativeCellIsDescribedWhenLow() throws {
    let text = Self.text(seed: 5, length: 12_000)
    let values = text.indices.map { t in Self.endsWith(text, t, "\n") ? Float(-0.8) : Float(0.1) }
    let d = try CellDescriptions.describe(
      symbols: text.map(\.value), values: values, maximum: 0.1, minimum: -0.8, blockSize: 500)
    #expect(d.direction == "low")
    #expect(d.patterns.first?.pattern == "\\n")
    #expect(d.sentence == "low after `\\n` (F1 1.00)")
    try Self.checkCounts(d, text: text, values: values, block: 500)
  }

  /// Held-out precision, recall and F1 of every reported pattern, recounted with string suffixes and
  /// the block split written out here.
  static func checkCounts(_ d: CellDescription, text: [Unicode.Scalar], values: [Float], block: Int) throws {
    let held = text.indices.filter { ($0 / block) % 2 == 1 }
    let active = held.filter {
      d.direction == "high" ? Double(values[$0]) >= d.threshold : Double(values[$0]) <= d.threshold
    }
    #expect(d.heldOutActive == active.count)
    #expect(d.heldOutPositions == held.count)
    for p in d.patterns {
      var literal = String.UnicodeScalarView()
      literal.append(contentsOf: p.symbols.map { Unicode.Scalar($0)! })
      let pattern = String(literal)
      let matches = held.filter { Self.endsWith(text, $0, pattern) }
      let hits = matches.filter { Set(active).contains($0) }.count
      let precision = Double(hits) / Double(matches.count), recall = Double(hits) / Double(active.count)
      #expect(p.heldOutMatches == matches.count)
      #expect(abs(p.precision - precision) < 1e-12)
      #expect(abs(p.recall - recall) < 1e-12)
      if hits > 0 { #expect(abs(p.f1 - 2 * precision * recall / (precision + recall)) < 1e-12) }
    }
  }

  @Test func patternsAreChosenOnTheFitPartOnly() throws {
    // "zq" precedes every high position of the held-out blocks only: it must not be chosen.
    var text = Array(String(repeating: "ab cd ef\n", count: 400).unicodeScalars)
    var values = [Float](repeating: 0, count: text.count)
    for t in stride(from: 3, to: text.count, by: 9) {
      if (t / 500) % 2 == 1 {
        text[t - 1] = "z"
        text[t] = "q"
      }
      values[t] = 1
    }
    let d = try CellDescriptions.describe(
      symbols: text.map(\.value), values: values, maximum: 1, minimum: 0, blockSize: 500)
    #expect(d.patterns.allSatisfy { !$0.pattern.contains("q") })
    #expect(d.patterns.first?.fitF1 == 1)
  }

  @Test func displayEscapesWhitespace() {
    #expect(CellDescriptions.display([10, 32, 32]) == "\\n␣␣")
    #expect(CellDescriptions.display([9, 13, 92, 0x1B, 0xE9]) == "\\t\\r\\\\\\u{1B}é")
  }

  @Test func neverActiveCellAndBadShape() throws {
    let text = Self.text(seed: 6, length: 1000)
    let d = try CellDescriptions.describe(
      symbols: text.map(\.value), values: [Float](repeating: 0, count: 1000), maximum: 0, minimum: 0)
    #expect(d.patterns.isEmpty)
    #expect(d.sentence == "never high (at half its extreme) in the fit part of the text")
    #expect(throws: ProbeError.self) {
      try CellDescriptions.describe(symbols: [1, 2], values: [0], maximum: 1, minimum: 0)
    }
  }
}

extension CellDescriptionTests {
  /// The cost at the size the lead will use: 100,000 characters, suffixes up to 8. Run with
  /// CELLSCOPE_PROBE_BENCH=1 (optionally CELLSCOPE_DESCRIBE_TEXT=FILE for a real text); prints the time.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["CELLSCOPE_PROBE_BENCH"] != nil))
  func benchmarkDescription() throws {
    let environment = ProcessInfo.processInfo.environment
    let text =
      try environment["CELLSCOPE_DESCRIBE_TEXT"].map {
        Array(try String(contentsOfFile: $0, encoding: .utf8).unicodeScalars.prefix(100_000))
      } ?? Self.text(seed: 7, length: 100_000)
    var rng = SeededGenerator(seed: 8)
    let values = text.map { _ in Float(rng.uniform(-1, 1)) }
    let clock = ContinuousClock.now
    let d = try CellDescriptions.describe(symbols: text.map(\.value), values: values, maximum: 1, minimum: -1)
    print("describe bench: \(text.count) characters \(ContinuousClock.now - clock): \(d.sentence)")
  }
}
