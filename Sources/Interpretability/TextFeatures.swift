// Text features: properties of a text computed from the text alone, one value per character, that the
// cells of a model are scored against ("this cell tracks the inside of quotes").
//
// Every feature is a scanner that streams over the text once, left to right, with O(1) state, so a
// feature can be computed over a corpus of millions of characters. The scanners live in
// SpanScanners.swift (in_*), CharacterClassScanners.swift (is_*) and GradedScanners.swift (depths and
// positions).

/// Whether a feature is a yes/no property of a position or a number.
public enum FeatureKind: String, Sendable {
  /// The feature is 0 or 1 (scored by ROC AUC).
  case binary
  /// The feature is a count such as a depth or a column (scored by correlation).
  case graded
}

/// Computes one feature value per position, called with i = 0, 1, 2, ... in increasing order over the
/// same text.
///
/// The value at i describes the state of the text *after reading character i* (so the opening quote
/// itself is inside, the closing quote is outside). A scanner may look ahead in `text` (e.g. to the end
/// of the line) but must keep O(1) state (streaming over a million characters).
public protocol FeatureScanner {
  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float
}

/// A named, documented feature of text: its metadata and a factory for fresh scanners.
public struct TextFeature: Sendable {
  /// Stable snake_case id used in every output.
  public let id: String
  /// Short words for a role, e.g. "inside double quotes".
  public let name: String
  /// Binary features return 0 or 1; graded ones return a number.
  public let kind: FeatureKind
  /// One or two plain sentences for the report's feature page, stating edge cases.
  public let definition: String
  /// Makes a scanner in its initial state, ready for position 0 of a new text.
  public let makeScanner: @Sendable () -> any FeatureScanner

  public init(
    id: String, name: String, kind: FeatureKind, definition: String,
    makeScanner: @escaping @Sendable () -> any FeatureScanner
  ) {
    self.id = id
    self.name = name
    self.kind = kind
    self.definition = definition
    self.makeScanner = makeScanner
  }

  /// Runs a fresh scanner over the whole text: one value per scalar of `text`.
  public func values(in text: [Unicode.Scalar]) -> [Float] {
    var scanner = makeScanner()
    var values = [Float]()
    values.reserveCapacity(text.count)
    for i in text.indices {
      values.append(scanner.value(at: i, in: text))
    }
    return values
  }
}

/// A scanner that carries the metadata of its feature, so that adding a feature is one struct plus one
/// line in `TextFeatures.all`. (Sendable so that its type can be captured by `makeScanner`.)
protocol DescribedScanner: FeatureScanner, Sendable {
  static var id: String { get }
  static var name: String { get }
  static var kind: FeatureKind { get }
  static var definition: String { get }
  /// The state before the first character of a text.
  init()
}

extension TextFeature {
  /// The feature described by a scanner type.
  init<Scanner: DescribedScanner>(_: Scanner.Type) {
    self.init(
      id: Scanner.id, name: Scanner.name, kind: Scanner.kind, definition: Scanner.definition,
      makeScanner: { Scanner() })
  }
}

/// The catalogue of text features.
public enum TextFeatures {
  /// Every feature, in this order: the structural binary features (quotes, wiki markup, URLs, XML tags,
  /// C-like comments and string literals), then the character classes (space, newline, letter, upper,
  /// digit, punctuation), then the graded features (the three bracket depths, line position, characters
  /// to line end, indentation, position in word). New features go at the end of their group.
  public static let all: [TextFeature] = [
    TextFeature(DoubleQuoteScanner.self),
    TextFeature(WikiLinkScanner.self),
    TextFeature(WikiTemplateScanner.self),
    TextFeature(URLScanner.self),
    TextFeature(XMLTagScanner.self),
    TextFeature(CommentScanner.self),
    TextFeature(StringLiteralScanner.self),
    TextFeature(SpaceScanner.self),
    TextFeature(NewlineScanner.self),
    TextFeature(LetterScanner.self),
    TextFeature(UppercaseScanner.self),
    TextFeature(DigitScanner.self),
    TextFeature(PunctuationScanner.self),
    TextFeature(ParenDepthScanner.self),
    TextFeature(BracketDepthScanner.self),
    TextFeature(BraceDepthScanner.self),
    TextFeature(LinePositionScanner.self),
    TextFeature(CharsToLineEndScanner.self),
    TextFeature(IndentScanner.self),
    TextFeature(WordPositionScanner.self),
  ]

  /// The feature with this id, or nil.
  public static func feature(id: String) -> TextFeature? {
    all.first { $0.id == id }
  }
}

// Features of an analysed text that was cut from a larger file.
//
// `run` and `--held-out` analyse the held-out split: one piece of the file per training stream, the
// pieces joined. A feature computed on the joined text is wrong after a join: a piece that starts
// inside a quotation inverts the quote parity for the rest of the text, a bracket depth carries over.
// Computed on the file and read at each analysed character's place in it, every value is the value of
// the text as written. (The model still reads the joined pieces; at a join it carries the state of the
// piece before, and the report says so.)

/// Where each character of an analysed text lies in the file it was cut from.
public struct FeatureSourceMap: Sendable {
  /// The whole file, as the features read it.
  public let source: [Unicode.Scalar]
  /// position p of the analysed text → its index in `source`; strictly increasing.
  public let positions: [Int]

  /// - Parameters:
  ///   - source: the file's characters.
  ///   - pieces: the ranges of `source` the analysed text is made of, in order (ascending, disjoint).
  ///   - count: the analysed text's length: the first `count` characters of the pieces.
  /// - Returns: nil when the pieces do not fit `source` or hold fewer than `count` characters.
  public init?(source: [Unicode.Scalar], pieces: [Range<Int>], count: Int) {
    var positions: [Int] = []
    positions.reserveCapacity(count)
    var last = -1
    for piece in pieces where positions.count < count {
      guard piece.lowerBound > last, piece.upperBound <= source.count else { return nil }
      positions += piece.prefix(count - positions.count)
      last = piece.upperBound - 1
    }
    guard positions.count == count else { return nil }
    self.source = source
    self.positions = positions
  }
}

extension TextFeature {
  /// The same feature computed on `map.source` and read at `map.positions`: a scanner of the result,
  /// called at analysed position p, returns this feature's value at `map.positions[p]` of the file.
  public func reading(_ map: FeatureSourceMap) -> TextFeature {
    let make = makeScanner
    return TextFeature(id: id, name: name, kind: kind, definition: definition) {
      SourceMappedScanner(inner: make(), map: map)
    }
  }
}

/// Feeds every character of the file up to the asked position to the inner scanner (features keep
/// state across the characters the analysis skips, such as a training part between two pieces).
struct SourceMappedScanner: FeatureScanner {
  var inner: any FeatureScanner
  let map: FeatureSourceMap
  private var next = 0
  private var last: Float = 0

  init(inner: any FeatureScanner, map: FeatureSourceMap) {
    self.inner = inner
    self.map = map
  }

  mutating func value(at p: Int, in _: [Unicode.Scalar]) -> Float {
    let q = map.positions[p]
    precondition(q >= next - 1, "positions are asked in increasing order")
    while next <= q {
      last = inner.value(at: next, in: map.source)
      next += 1
    }
    return last
  }
}
