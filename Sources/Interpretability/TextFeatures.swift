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
