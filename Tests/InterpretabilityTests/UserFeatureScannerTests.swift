import CharLSTM
import Foundation
import Testing

@testable import Interpretability

// The scanners of user features against re-computations written differently: spans by a forward search
// over all start positions (the scanner looks back from each character), regex matches by Swift's own
// Regex engine (the feature uses ICU through NSRegularExpression), and hand-computed small examples.

@Suite struct UserFeatureScannerTests {
  static func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

  static func feature(_ kind: UserFeatureSpec.Kind, text: [Unicode.Scalar]) throws -> TextFeature {
    let spec = UserFeatureSpec(id: "f", name: "f", definition: nil, kind: kind, entry: 1, line: nil)
    return try #require(try spec.features(for: text, file: "test.yaml").first)
  }

  static func values(_ kind: UserFeatureSpec.Kind, _ text: String) throws -> [Float] {
    let t = scalars(text)
    return try feature(kind, text: t).values(in: t)
  }

  /// Digits "0"/"1" of a binary feature, or the numbers of a graded one.
  static func digits(_ v: [Float]) -> String { String(v.map { $0 == 0 ? "0" : $0 == 1 ? "1" : "?" }) }

  // MARK: spans, by hand

  @Test func spanHandExamples() throws {
    // The last character of the opener is inside, the last of the closer outside.
    #expect(Self.digits(try Self.values(.span(open: "$", close: "$", nested: false), "a$b$c")) == "01100")
    #expect(Self.digits(try Self.values(.span(open: "$$", close: "$$", nested: false), "$$x$$y")) == "011100")
    // Delimiters do not overlap: $$$$ is an opener then a closer; $$$ leaves a lone $ inside.
    #expect(Self.digits(try Self.values(.span(open: "$$", close: "$$", nested: false), "$$$$")) == "0110")
    #expect(Self.digits(try Self.values(.span(open: "$$", close: "$$", nested: false), "$$$a")) == "0111")
    let latex = try Self.values(.span(open: "\\begin{", close: "\\end{", nested: false), "\\begin{x}\\end{x}")
    #expect(Self.digits(latex) == "000000111111100" + "0")
    // An unclosed span runs to the end; a closer outside a span is ignored.
    #expect(Self.digits(try Self.values(.span(open: "<<", close: ">>", nested: false), ">>a<<b")) == "000011")
    // Not nested: the first closer ends the span however many openers came before.
    #expect(Self.digits(try Self.values(.span(open: "(", close: ")", nested: false), "((a)b)")) == "111000")
  }

  @Test func nestedSpanHandExamples() throws {
    let depth = { (text: String, open: String, close: String) in
      try Self.values(.span(open: open, close: close, nested: true), text).map(Int.init)
    }
    #expect(try depth("((a))", "(", ")") == [1, 2, 2, 1, 0])
    #expect(try depth("a)(b", "(", ")") == [0, 0, 1, 1])  // the unmatched ) is ignored
    #expect(try depth("(*a(*b*)*)", "(*", "*)") == [0, 1, 1, 1, 2, 2, 2, 1, 1, 0])
    // Both end at the same character: the longer delimiter is taken.
    #expect(try depth("<a<ab", "<a", "a") == [0, 1, 1, 2, 2])
    #expect(try depth("a<a", "a", "<a") == [1, 1, 0])
    // "(*)" : the ) cannot share the * of the opener, so nothing closes.
    #expect(try depth("(*)", "(*", "*)") == [0, 1, 1])
    let env = "\\begin{a}\\begin{b}\\end{b}\\end{a}"
    let d = try depth(env, "\\begin{", "\\end{")
    #expect(d[6] == 1 && d[15] == 2 && d[20] == 2 && d[22] == 1 && d[31] == 0 && d.last == 0)
  }

  // MARK: spans, against a forward search

  /// Binary span by searching forward for the next delimiter wanted (the scanner looks back instead).
  static func naiveSpan(_ text: [Unicode.Scalar], open: [Unicode.Scalar], close: [Unicode.Scalar]) -> [Float]
  {
    var out = [Float](repeating: 0, count: text.count)
    var from = 0, inside = false, openedAt = 0
    while let s = firstOccurrence(inside ? close : open, in: text, from: from) {
      let last = s + (inside ? close : open).count - 1
      if inside {
        for p in openedAt..<last { out[p] = 1 }
      } else {
        openedAt = last
      }
      inside.toggle()
      from = last + 1
    }
    if inside { for p in openedAt..<text.count { out[p] = 1 } }
    return out
  }

  /// Nesting depth by taking, again and again, the delimiter occurrence that ends first after the last.
  static func naiveDepth(_ text: [Unicode.Scalar], open: [Unicode.Scalar], close: [Unicode.Scalar]) -> [Float]
  {
    var out = [Float](repeating: 0, count: text.count)
    var from = 0, depth = 0
    while true {
      let o = firstOccurrence(open, in: text, from: from).map { $0 + open.count - 1 }
      let c = firstOccurrence(close, in: text, from: from).map { $0 + close.count - 1 }
      guard o != nil || c != nil else { break }
      let takeOpen: Bool
      if let o, let c {
        takeOpen = o < c || (o == c && open.count > close.count)
      } else {
        takeOpen = o != nil
      }
      let end = takeOpen ? o! : c!
      depth = takeOpen ? depth + 1 : max(0, depth - 1)
      for p in end..<text.count { out[p] = Float(depth) }
      from = end + 1
    }
    return out
  }

  static func firstOccurrence(_ d: [Unicode.Scalar], in text: [Unicode.Scalar], from: Int) -> Int? {
    guard from + d.count <= text.count else { return nil }
    return (from...(text.count - d.count)).first { Array(text[$0..<($0 + d.count)]) == d }
  }

  static let delimiterPairs: [(String, String)] = [
    ("$", "$"), ("$$", "$$"), ("{", "}"), ("(*", "*)"), ("ab", "ba"), ("aa", "a"), ("a", "aa"),
    ("ba", "a"), ("a", "ba"), ("```", "```"),
    ("\\begin{", "\\end{"), ("<!--", "-->"),
  ]

  @Test(arguments: 0..<delimiterPairs.count)
  func spansMatchAForwardSearchOnRandomTexts(pair: Int) throws {
    let (open, close) = Self.delimiterPairs[pair]
    let o = Self.scalars(open), c = Self.scalars(close)
    let alphabet = Array(Set(o + c + ["x"])).sorted { $0.value < $1.value }
    var rng = SeededGenerator(seed: UInt64(100 + pair))
    for _ in 0..<300 {
      let text = (0..<rng.below(40)).map { _ in alphabet[rng.below(alphabet.count)] }
      let binary = try Self.feature(.span(open: open, close: close, nested: false), text: text).values(
        in: text)
      // One failing text per pair is enough to read; stop there.
      try #require(
        binary == Self.naiveSpan(text, open: o, close: c), "\(String(String.UnicodeScalarView(text)))")
      guard open != close else { continue }
      let depth = try Self.feature(.span(open: open, close: close, nested: true), text: text).values(in: text)
      try #require(
        depth == Self.naiveDepth(text, open: o, close: c), "\(String(String.UnicodeScalarView(text)))")
    }
  }

  // MARK: brace_depth

  @Test func nestedBracesReproduceBraceDepth() throws {
    let braceDepth = try #require(TextFeatures.feature(id: "brace_depth"))
    let texts = [
      "}}{a{b}c}}}{{{\n}x{", "int f() {\n  if (x) { y(); }\n}\n} stray\n{ { {",
      Fixtures.demoText(60_000),
    ]
    for s in texts {
      let text = Self.scalars(s)
      let user = try Self.feature(.span(open: "{", close: "}", nested: true), text: text)
      #expect(user.kind == .graded)
      let expected = braceDepth.values(in: text)
      #expect(user.values(in: text) == expected)
      #expect(expected.contains { $0 >= 2 }, "the text nests braces")
    }
  }

  // MARK: regex

  /// The non-empty matches of `pattern` by Swift's Regex on scalars, as scalar index ranges.
  static func swiftRegexRanges(_ pattern: String, _ text: String) throws -> [Range<Int>] {
    let regex = try Regex(pattern).matchingSemantics(.unicodeScalar).anchorsMatchLineEndings()
    let scalars = text.unicodeScalars
    return text.matches(of: regex).compactMap { m in
      let a = scalars.distance(from: scalars.startIndex, to: m.range.lowerBound)
      let b = scalars.distance(from: scalars.startIndex, to: m.range.upperBound)
      return a < b ? a..<b : nil
    }
  }

  @Test(arguments: ["\\\\[a-z]+", "#[^\\n]*", "[0-9]+", "\"[^\"\\n]*\"", "(?m)^#+ .*$", "é+|🙂"])
  func regexAgreesWithSwiftRegex(pattern: String) throws {
    let text = """
      \\section{Héé} x = 12 # note 🙂🙂
      ## Heading éé "a string" \\alpha\\beta 7
      # 🙂 line\r\nend 345 "open
      """
    let t = Self.scalars(text)
    let expected = try Self.swiftRegexRanges(pattern, text)
    #expect(!expected.isEmpty)
    #expect(FeatureRegex.matches(of: try FeatureRegex.compile(pattern), in: t) == expected)
    var naive = [Float](repeating: 0, count: t.count)
    for r in expected { for p in r { naive[p] = 1 } }
    #expect(try Self.feature(.regex(pattern: pattern), text: t).values(in: t) == naive)
  }

  @Test func regexHandExamples() throws {
    #expect(Self.digits(try Self.values(.regex(pattern: "[0-9]+"), "ab12c3")) == "001101")
    // Empty matches hold no character: x* marks only the x's.
    #expect(Self.digits(try Self.values(.regex(pattern: "x*"), "axxb")) == "0110")
    // ^ matches at every line start; . stops at a line end (which is outside).
    #expect(Self.digits(try Self.values(.regex(pattern: "^#.*"), "#a\nb#\n#")) == "110000" + "1")
    // Positions count scalars, not UTF-16 units: 🙂 is one character.
    #expect(Self.digits(try Self.values(.regex(pattern: "b"), "🙂b🙂b")) == "0101")
  }

  @Test func aBadPatternIsRefusedWithAReason() {
    #expect(throws: FeatureRegex.InvalidPattern.self) { try FeatureRegex.compile("(a") }
    #expect(throws: FeatureRegex.InvalidPattern.self) { try FeatureRegex.compile("[z-a]") }
  }

  // MARK: distance

  @Test func distanceHandExamples() throws {
    // "def " ends at 3 and 9; before the first match the position counts from 1.
    let v = try Self.values(.distance(pattern: "def "), "def x def y").map(Int.init)
    #expect(v == [1, 2, 3, 0, 1, 2, 3, 4, 5, 0, 1])
    #expect(
      try Self.values(.distance(pattern: "\\n"), "ab\ncd\n\ne").map(Int.init) == [1, 2, 0, 1, 2, 0, 0, 1])
    #expect(try Self.values(.distance(pattern: "z"), "abc").map(Int.init) == [1, 2, 3])
    #expect(try Self.feature(.distance(pattern: "z"), text: Self.scalars("abc")).kind == .graded)
  }

  // MARK: labels

  @Test func labelsPerCharacterAndPerLine() throws {
    let perCharacter = LabelTable(text: "kw\nkw\n\n NN \r\nkw\n")
    #expect(perCharacter.names == ["NN", "kw"])
    #expect(perCharacter.items == [2, 2, 0, 1, 2])
    let text = Self.scalars("if x\nab\n\nc")  // lines: "if x\n", "ab\n", "\n", "c"
    let spec = UserFeatureSpec(
      id: "tok", name: "token", definition: nil,
      kind: .labels(file: "t.txt", per: .line, table: LabelTable(text: "code\nprose\n\ncode")), entry: 1,
      line: nil)
    let features = try spec.features(for: text, file: "f.yaml")
    #expect(features.map(\.id) == ["tok_code", "tok_prose"])
    #expect(features.allSatisfy { $0.kind == .binary })
    #expect(Self.digits(features[0].values(in: text)) == "11111" + "000" + "0" + "1")
    #expect(Self.digits(features[1].values(in: text)) == "00000" + "111" + "0" + "0")
    // A text of 5 characters against 4 labels per character.
    let wrong = UserFeatureSpec(
      id: "tok", name: "token", definition: nil,
      kind: .labels(file: "t.txt", per: .character, table: LabelTable(text: "a\nb\nc\nd")), entry: 2, line: 7)
    #expect(
      throws: FeatureFileError.badEntry(
        file: "f.yaml", entry: 2, id: "tok", line: 7,
        problem: .labelCount(path: "t.txt", per: .character, got: 4, expected: 5))
    ) { try wrong.features(for: Self.scalars("abcde"), file: "f.yaml") }
  }

  @Test func labelIDSuffixes() {
    #expect(UserFeatureSpec.idSuffix("NN") == "nn")
    #expect(UserFeatureSpec.idSuffix("Name.Function") == "name_function")
    #expect(UserFeatureSpec.idSuffix("--x--y") == "x_y")
    #expect(UserFeatureSpec.idSuffix(".") == "u2e")
    #expect(UserFeatureSpec.idSuffix("->") == "u2d_3e")
  }
}
