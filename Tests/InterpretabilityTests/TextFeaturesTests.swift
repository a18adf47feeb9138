import Interpretability
import Testing

// Every expected value below is written by hand from the feature's definition.
//
// Binary tables are raw multi-line strings of line pairs: a text, then one digit per character (0 or 1)
// aligned under it. Lines starting with "-- " are notes; blank lines separate groups. In texts,
// ⏎ stands for \n, ␍ for \r, ⇥ for a tab and ␠ for a space (used where a space would be invisible).

@Suite struct TextFeaturesTests {
  /// A text and the expected values of a binary feature, one digit per character.
  struct BinaryRow: Sendable, CustomTestStringConvertible {
    let text: String
    let expected: String
    var testDescription: String { text }

    /// Parses a table of line pairs (text, digits), skipping blank lines and "-- " notes.
    static func table(_ table: String) -> [BinaryRow] {
      let lines = table.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-- ") }
      precondition(lines.count.isMultiple(of: 2), "a table needs a line of digits under every text")
      return stride(from: 0, to: lines.count, by: 2).map {
        BinaryRow(text: lines[$0], expected: lines[$0 + 1])
      }
    }
  }

  /// A text and the expected values of a graded feature.
  struct GradedRow: Sendable, CustomTestStringConvertible {
    let text: String
    let expected: [Int]
    var testDescription: String { text }

    init(_ text: String, _ expected: [Int]) {
      self.text = text
      self.expected = expected
    }
  }

  /// The scalars of a table text, with the placeholders ⏎ ␍ ⇥ ␠ replaced by \n \r \t and space.
  static func decode(_ text: String) -> [Unicode.Scalar] {
    text.unicodeScalars.map { c in
      switch c {
      case "⏎": "\n"
      case "␍": "\r"
      case "⇥": "\t"
      case "␠": " "
      default: c
      }
    }
  }

  func expectBinary(
    _ id: String, _ row: BinaryRow, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let feature = try #require(TextFeatures.feature(id: id), sourceLocation: sourceLocation)
    let text = Self.decode(row.text)
    #expect(
      row.expected.unicodeScalars.count == text.count, "table row has a digit for every character",
      sourceLocation: sourceLocation)
    let got = String(feature.values(in: text).map { $0 == 0 ? "0" : $0 == 1 ? "1" : "?" })
    #expect(got == row.expected, "\(id) of \(row.text)", sourceLocation: sourceLocation)
  }

  func expectGraded(
    _ id: String, _ row: GradedRow, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let feature = try #require(TextFeatures.feature(id: id), sourceLocation: sourceLocation)
    let text = Self.decode(row.text)
    #expect(
      row.expected.count == text.count, "table row has a value for every character",
      sourceLocation: sourceLocation)
    #expect(
      feature.values(in: text) == row.expected.map(Float.init), "\(id) of \(row.text)",
      sourceLocation: sourceLocation)
  }

  // MARK: - Span features

  @Test(
    arguments: BinaryRow.table(
      #"""
      -- straight quotes: the opening quote is inside, the closing quote outside
      a"b"c
      01100
      a""b
      0100

      -- unterminated: on to the end of the text, across single line ends
      "a⏎b
      1111
      "a⏎b"c
      111100

      -- a blank line closes a quotation (paragraphs that reopen a continued quote)
      "a⏎⏎b
      11100
      "a⏎␠⏎"b"
      11110110

      -- context decides straight quotes: opening after a space, closing before one
      x␠"y"␠"z"
      001100110
      a"b␠"c"␠d
      011111000
      f("s")
      001100

      -- an escaped quote does not toggle; an escaped backslash does not escape the quote
      "a\"b"
      111110
      \"a
      000
      "\\"a
      11100

      -- typographic quotes are directional, and mix with straight ones
      “a”b
      1100
      ”a“b
      0011
      ““a”
      1110
      "a”␠b
      11000

      -- single quotes and guillemets are ignored; Unicode text
      it's␠'x'
      00000000
      «ж»␠"É"
      0000110
      """#))
  func inDoubleQuotes(_ row: BinaryRow) throws {
    try expectBinary("in_double_quotes", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      -- the first [ is outside, the second inside; the first ] inside, the second outside
      [[a]]
      01110
      x[[ab|c]]y
      0011111100
      [[]]
      0110

      -- single brackets and stray closers do nothing
      [a]
      000
      [a[b]]
      000000
      ]]a
      000
      [[a]b]]
      0111110

      -- nesting by depth; [[[ is an opener and a lone [
      [[a␠[[b]]␠c]]
      0111111111110
      [[[a]]]
      0111100

      -- unterminated: on to the end of the text or line; a line end closes every link
      [[ab
      0111
      [[a⏎b]]
      0110000
      [[a␍⏎b
      011000
      [[Жук]]
      0111110
      """#))
  func inWikiLink(_ row: BinaryRow) throws {
    try expectBinary("in_wiki_link", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      {{a}}
      01110
      {{a|{{b}}|c}}
      0111111111110

      -- templates span lines
      {{a⏎b}}c
      01111100
      {{a
      011

      -- single braces and stray closers do nothing
      {a}
      000
      }}{{x
      00011
      {{a}b}}
      0111110
      {{x}}}}y
      01110000

      -- a parameter {{{x}}} pairs as {{ + { and }} + }
      {{{x}}}
      0111100
      """#))
  func inWikiTemplate(_ row: BinaryRow) throws {
    try expectBinary("in_wiki_template", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      -- from the h of http:// or https://, or the first w of www.
      http://a.b
      1111111111
      see␠https://x.org/p␠now
      00001111111111111110000
      HTTP://A.B
      1111111111

      -- ends at whitespace, a line end, the end of the text
      http://a␠http://b
      11111111011111111
      www.a⇥b
      1111100
      http://a⏎b
      1111111100
      www.a.b␍⏎
      111111100

      -- ends before ] ) > " ' | } <
      [http://a.b]x
      0111111111100
      (www.x.y)
      011111110
      <http://a>
      0111111110
      "http://a.b"
      011111111110
      (http://a.b.)
      0111111111100
      <a␠href='http://x'>
      0000000001111111100
      {{c|url=http://a.b|t}}
      0000000011111111110000
      http://a.b<ref>
      111111111100000

      -- trailing sentence punctuation is not part of it; inner punctuation is
      go␠to␠www.a.com.
      0000001111111110
      http://a.b,␠c
      1111111111000
      www.a.b?!
      111111100
      http://a.b/?q=1.2␠x
      1111111111111111100
      www.
      1110
      http://
      1111111

      -- not URLs: a letter before, an incomplete or other prefix
      xhttp://a
      000000000
      awww.b
      000000
      http:/a
      0000000
      ftp://a
      0000000

      -- Unicode
      http://ж.рф/é␠x
      111111111111100
      """#))
  func inURL(_ row: BinaryRow) throws {
    try expectBinary("in_url", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      -- from < up to the next >, which is outside
      <b>x</b>
      11001110
      <!--␠c␠-->
      1111111110
      <?xml?>
      1111110
      <ж>
      110

      -- a < not followed by a letter, /, ! or ? is not a tag
      a␠<␠b
      00000
      a<3
      000
      x<
      00
      <␠b>
      0000
      <<b>
      0110
      >a<i>
      00110

      -- attribute quotes are not parsed: the first > ends the tag
      <a␠href="x>y">
      11111111110000

      -- tags span lines; an unterminated tag runs to the end of the text
      <a⏎b>c
      111100
      <br
      111
      """#))
  func inXMLTag(_ row: BinaryRow) throws {
    try expectBinary("in_xml_tag", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      -- /* is 01, */ is 10; // is 01 and the line end is outside
      /*a*/
      01110
      a/*b*/c
      0011100
      /*⏎a*/
      011110
      //a⏎b
      01100
      ///x
      0111
      //a␍⏎b
      011000

      -- an unterminated block comment runs to the end of the text
      /*␠ab
      01111

      -- the * of /* does not close it; the / of */ does not start a new marker
      /*/x
      0111
      /**/x
      01100
      /***/
      01110
      /*a*//b
      0111000

      -- division and stray markers
      a/b/c
      00000
      a/␠*b
      00000
      */x
      000

      -- markers inside string literals do not count; quotes inside comments do not either
      "/*"x
      00000
      '//'
      0000
      "a\"/*"
      0000000
      /*␠"*/␠x
      01111000
      //␠it's⏎x
      011111100
      "ab⏎//c
      0000011
      """#))
  func inComment(_ row: BinaryRow) throws {
    try expectBinary("in_comment", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      -- the opening quote is inside, the closing quote outside
      "a"
      110
      'a'
      110
      ""
      10
      "жÉ"
      1110

      -- backslash escapes; the other kind of quote does not close
      x="a\"b";
      001111100
      "a\\"b
      111100
      "it's"
      111110
      'say␠"hi"'
      1111111110

      -- a line end ends the literal, even after a backslash
      "ab⏎c
      11100
      "a\⏎b
      11100
      "a␍⏎b
      11000

      -- quotes inside comments do not count; comment markers after or before a literal
      /*␠"a"␠*/
      000000000
      //␠'x⏎"y"
      000000110
      "a"//b
      110000
      /"a"
      0110

      -- an apostrophe inside a word opens nothing; a ' needs its match on the same line
      don't␠go⏎ok
      00000000000
      it's␠'x'␠ok
      00000110000
      'a⏎b'
      00000
      """#))
  func inStringLiteral(_ row: BinaryRow) throws {
    try expectBinary("in_string_literal", row)
  }

  // MARK: - Character classes

  @Test(
    arguments: BinaryRow.table(
      #"""
      a␠b⇥c⏎d␍
      01010000
      -- no-break space and em space are spaces; vertical tab and form feed are not
      a\#u{A0}b\#u{2003}c\#u{0B}\#u{0C}
      0101000
      """#))
  func isSpace(_ row: BinaryRow) throws {
    try expectBinary("is_space", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      a⏎b␍⏎c␍
      0101101
      ␠⇥
      00
      -- other Unicode line separators are not line ends
      a\#u{2028}b\#u{85}
      0000
      """#))
  func isNewline(_ row: BinaryRow) throws {
    try expectBinary("is_newline", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      aZ1␠_é
      110001
      жЖ中ñʼ
      11111
      -- a combining accent and numerals are not letters
      e\#u{301}
      10
      Ⅻ²
      00
      """#))
  func isLetter(_ row: BinaryRow) throws {
    try expectBinary("is_letter", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      AbÉé
      1010
      ЖжΣσ
      1010
      中1!␠
      0000
      """#))
  func isUpper(_ row: BinaryRow) throws {
    try expectBinary("is_upper", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      a1b90
      01011
      -- digits of other scripts count; superscripts, fractions and Roman numerals do not
      ٣²½Ⅻ
      1000
      """#))
  func isDigit(_ row: BinaryRow) throws {
    try expectBinary("is_digit", row)
  }

  @Test(
    arguments: BinaryRow.table(
      #"""
      -- every printable ASCII character that is not a letter, digit or space
      !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
      11111111111111111111111111111111
      a.b,c!
      010101
      a1␠⏎é
      00000
      —“”€😀
      11111
      """#))
  func isPunct(_ row: BinaryRow) throws {
    try expectBinary("is_punct", row)
  }

  // MARK: - Graded features

  @Test(arguments: [
    GradedRow("(a)", [1, 1, 0]),
    GradedRow("((a))", [1, 2, 2, 1, 0]),
    GradedRow(")(", [0, 1]),
    GradedRow("a)b(c))(", [0, 0, 0, 1, 1, 0, 0, 1]),
    GradedRow("(⏎)", [1, 1, 0]),
    GradedRow(#""(""#, [0, 1, 1]),
    GradedRow("([)]", [1, 1, 0, 0]),
  ])
  func parenDepth(_ row: GradedRow) throws {
    try expectGraded("paren_depth", row)
  }

  @Test(arguments: [
    GradedRow("[[a]]", [1, 2, 2, 1, 0]),
    GradedRow("]][", [0, 0, 1]),
    GradedRow("[a(b]", [1, 1, 1, 1, 0]),
    GradedRow("[⏎[", [1, 1, 2]),
    GradedRow("a", [0]),
  ])
  func bracketDepth(_ row: GradedRow) throws {
    try expectGraded("bracket_depth", row)
  }

  @Test(arguments: [
    GradedRow("{a{b}}", [1, 1, 2, 2, 1, 0]),
    GradedRow("}{", [0, 1]),
    GradedRow("{⏎{⏎}⏎}", [1, 1, 2, 2, 1, 1, 0]),
    GradedRow("{{{", [1, 2, 3]),
    GradedRow("}}}a", [0, 0, 0, 0]),
  ])
  func braceDepth(_ row: GradedRow) throws {
    try expectGraded("brace_depth", row)
  }

  @Test(arguments: [
    GradedRow("abc", [0, 1, 2]),
    GradedRow("ab⏎cd", [0, 1, 2, 0, 1]),
    GradedRow("⏎⏎a", [0, 0, 0]),
    // CRLF is one line end: the \r takes no column
    GradedRow("ab␍⏎cd", [0, 1, 2, 2, 0, 1]),
    GradedRow("a␍⏎␍⏎b", [0, 1, 1, 0, 0, 0]),
    // a lone \r ends a line, also right after a \n
    GradedRow("ab␍cd", [0, 1, 2, 0, 1]),
    GradedRow("⏎␍", [0, 0]),
    GradedRow("␍␍⏎", [0, 0, 0]),
    GradedRow("жé⇥x", [0, 1, 2, 3]),
    GradedRow("abcdefghijkl", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
  ])
  func linePosition(_ row: GradedRow) throws {
    try expectGraded("line_position", row)
  }

  @Test(arguments: [
    GradedRow("abc", [2, 1, 0]),
    GradedRow("abc⏎d", [2, 1, 0, 0, 0]),
    GradedRow("ab⏎", [1, 0, 0]),
    GradedRow("⏎⏎", [0, 0]),
    GradedRow("ab␍⏎cd", [1, 0, 0, 0, 1, 0]),
    GradedRow("a␍b", [0, 0, 0]),
    GradedRow("⇥жé", [2, 1, 0]),
    GradedRow("abcdefghijkl⏎", [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0]),
  ])
  func charsToLineEnd(_ row: GradedRow) throws {
    try expectGraded("chars_to_line_end", row)
  }

  @Test(arguments: [
    GradedRow("a", [0]),
    GradedRow("a  b", [0, 0, 0, 0]),
    // the leading spaces and the line end carry the indent of their line
    GradedRow("  a⏎b", [2, 2, 2, 2, 0]),
    GradedRow("⇥␠x⏎␠␠⏎y", [2, 2, 2, 2, 2, 2, 2, 0]),
    GradedRow("x⏎␠␠␠", [0, 0, 3, 3, 3]),
    GradedRow("⏎␠", [0, 1]),
    // CRLF is one line end; a lone \r ends a line
    GradedRow("␠a␍⏎␠␠b", [1, 1, 1, 1, 2, 2, 2]),
    GradedRow("a␍␠b", [0, 0, 1, 1]),
    // only spaces and tabs indent
    GradedRow("\u{A0}a", [0, 0]),
  ])
  func indent(_ row: GradedRow) throws {
    try expectGraded("indent", row)
  }

  @Test(arguments: [
    GradedRow("ab cd", [1, 2, 0, 1, 2]),
    GradedRow("it's", [1, 2, 0, 1]),
    GradedRow("a-b", [1, 0, 1]),
    GradedRow("x2y ", [1, 2, 3, 0]),
    GradedRow("⏎ab", [0, 1, 2]),
    GradedRow("жук_1", [1, 2, 3, 0, 1]),
    GradedRow("e\u{301}x", [1, 0, 1]),
    GradedRow("abcdefghijkl", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
  ])
  func wordPosition(_ row: GradedRow) throws {
    try expectGraded("word_position", row)
  }

  // MARK: - The catalogue

  /// A text exercising every feature: prose, wiki markup, a URL, XML, code, CRLF and Unicode.
  static let mixedText = decode(
    #"""
    “Quote” and "quote" with \"escape\".⏎[[Link|text]] {{Template|a={{b}}}} see https://x.org/a_(b).⏎\#
    <ref name="x">Ж</ref> <!-- c -->␍⏎⇥int f(int a) { /* c */ return a["k"] + 'x'; // it's⏎\#
    }⏎  x = ((1 + [2])) / 3;  ٣ É 😀 e\#u{301}⏎⏎
    """#)

  @Test func everyFeatureInDocumentedOrder() {
    #expect(
      TextFeatures.all.map(\.id) == [
        "in_double_quotes", "in_wiki_link", "in_wiki_template", "in_url", "in_xml_tag", "in_comment",
        "in_string_literal", "is_space", "is_newline", "is_letter", "is_upper", "is_digit", "is_punct",
        "paren_depth", "bracket_depth", "brace_depth", "line_position", "chars_to_line_end", "indent",
        "word_position",
      ])
  }

  @Test func idsAreUniqueSnakeCase() {
    let ids = TextFeatures.all.map(\.id)
    #expect(Set(ids).count == ids.count)
    for id in ids {
      let words = id.split(separator: "_", omittingEmptySubsequences: false)
      let isSnakeCase = words.allSatisfy { word in
        !word.isEmpty && word.unicodeScalars.allSatisfy { ("a"..."z").contains($0) }
      }
      #expect(isSnakeCase, "\(id)")
    }
  }

  @Test func metadataIsComplete() {
    for feature in TextFeatures.all {
      let isBinary = feature.id.hasPrefix("in_") || feature.id.hasPrefix("is_")
      #expect(feature.kind == (isBinary ? .binary : .graded), "\(feature.id)")
      #expect(!feature.name.isEmpty, "\(feature.id)")
      #expect(feature.definition.hasSuffix("."), "\(feature.id)")
      #expect(!feature.definition.contains("\n"), "\(feature.id)")
    }
  }

  @Test func lookupByID() throws {
    for feature in TextFeatures.all {
      #expect(try #require(TextFeatures.feature(id: feature.id)).name == feature.name)
    }
    #expect(TextFeatures.feature(id: "in_quotes") == nil)
    #expect(TextFeatures.feature(id: "") == nil)
  }

  @Test(arguments: ["empty", "a", "⏎", "␍", "\"", "[[", "/*", "http://", "<a", "mixed"])
  func valuesHaveTheTextsLength(_ sample: String) {
    let text: [Unicode.Scalar] =
      switch sample {
      case "empty": []
      case "mixed": Self.mixedText
      default: Self.decode(sample)
      }
    for feature in TextFeatures.all {
      #expect(feature.values(in: text).count == text.count, "\(feature.id)")
    }
  }

  @Test func valuesMatchTheirKind() {
    for feature in TextFeatures.all {
      let values = feature.values(in: Self.mixedText)
      switch feature.kind {
      case .binary:
        #expect(values.allSatisfy { $0 == 0 || $0 == 1 }, "\(feature.id)")
        #expect(values.contains(1), "\(feature.id) fires somewhere in the mixed text")
      case .graded:
        #expect(values.allSatisfy { $0 >= 0 && $0 == $0.rounded() }, "\(feature.id)")
        #expect(values.contains { $0 > 1 }, "\(feature.id) exceeds 1 somewhere in the mixed text")
      }
    }
  }

  @Test func scannersAreFreshAndStepwise() {
    for feature in TextFeatures.all {
      let once = feature.values(in: Self.mixedText)
      #expect(feature.values(in: Self.mixedText) == once, "\(feature.id) keeps no state between runs")
      var scanner = feature.makeScanner()
      let stepwise = Self.mixedText.indices.map { scanner.value(at: $0, in: Self.mixedText) }
      #expect(stepwise == once, "\(feature.id)")
    }
  }

  @Test(.timeLimit(.minutes(1)))
  func longSingleLineStreamsInLinearTime() throws {
    let count = 200_000
    let text = Array("https://".unicodeScalars) + Array(repeating: "a", count: count - 8)
    let toLineEnd = try #require(TextFeatures.feature(id: "chars_to_line_end")).values(in: text)
    #expect(toLineEnd.first == Float(count - 1))
    #expect(toLineEnd.last == 0)
    let url = try #require(TextFeatures.feature(id: "in_url")).values(in: text)
    #expect(url.allSatisfy { $0 == 1 })
    let position = try #require(TextFeatures.feature(id: "line_position")).values(in: text)
    #expect(position.last == Float(count - 1))
  }
}
