/// The characters a model reads and writes, in a fixed, sorted order.
///
/// A `.unicode` vocabulary holds Unicode scalars (so "é" is one character, whatever
/// its UTF-8 length); a `.bytes` vocabulary holds byte values 0-255, as in the
/// 2015 paper, where War and Peace has 87 of them. Symbols are sorted ascending,
/// so the same text always gives the same indices.
public struct Vocabulary: Equatable, Sendable {
  public enum Kind: String, Codable, Sendable { case unicode, bytes }

  public let kind: Kind
  /// The symbols in index order: Unicode scalar values or byte values, ascending.
  public let symbols: [UInt32]
  private let indexOf: [UInt32: Int32]

  public init(kind: Kind, symbols: [UInt32]) throws {
    let sorted = Array(Set(symbols)).sorted()
    guard sorted == symbols, !symbols.isEmpty else {
      throw CellscopeError.invalidVocabulary("symbols must be distinct, sorted and non-empty")
    }
    if kind == .bytes, let top = symbols.last, top > 255 {
      throw CellscopeError.invalidVocabulary("a byte vocabulary holds values 0-255 only")
    }
    if kind == .unicode, let bad = symbols.first(where: { Unicode.Scalar($0) == nil }) {
      throw CellscopeError.invalidVocabulary("\(bad) is not a Unicode scalar value")
    }
    self.kind = kind
    self.symbols = symbols
    var map: [UInt32: Int32] = [:]
    for (i, s) in symbols.enumerated() { map[s] = Int32(i) }
    indexOf = map
  }

  /// The vocabulary of every distinct symbol in `text`.
  public init(text: String, kind: Kind = .unicode) throws {
    let units = Vocabulary.units(of: text, kind: kind)
    guard !units.isEmpty else { throw CellscopeError.emptyText("the text") }
    try self.init(kind: kind, symbols: Array(Set(units)).sorted())
  }

  public var count: Int { symbols.count }

  public static func == (a: Vocabulary, b: Vocabulary) -> Bool {
    a.kind == b.kind && a.symbols == b.symbols
  }

  /// The text as a sequence of symbol values (scalars or bytes).
  public static func units(of text: String, kind: Kind) -> [UInt32] {
    switch kind {
    case .unicode: return text.unicodeScalars.map { $0.value }
    case .bytes: return text.utf8.map { UInt32($0) }
    }
  }

  public func index(of symbol: UInt32) -> Int32? { indexOf[symbol] }

  /// Encodes a text; throws naming the first symbol the vocabulary lacks.
  public func encode(_ text: String) throws -> [Int32] {
    var out: [Int32] = []
    out.reserveCapacity(text.utf8.count)
    for (position, u) in Vocabulary.units(of: text, kind: kind).enumerated() {
      guard let i = indexOf[u] else {
        throw CellscopeError.characterNotInVocabulary(describe(u), position: position)
      }
      out.append(i)
    }
    return out
  }

  /// Decodes indices back to text. Byte models may produce invalid UTF-8 when
  /// sampling; those bytes are shown as U+FFFD.
  public func decode(_ indices: [Int32]) -> String {
    switch kind {
    case .unicode:
      var s = String.UnicodeScalarView()
      for i in indices { s.append(Unicode.Scalar(symbols[Int(i)])!) }
      return String(s)
    case .bytes:
      return String(decoding: indices.map { UInt8(symbols[Int($0)]) }, as: UTF8.self)
    }
  }

  /// A readable name for a symbol: the character itself, or an escape for
  /// control and whitespace characters ("\n", "\t", "U+00A0", "0x0A").
  public func describe(_ symbol: UInt32) -> String {
    if kind == .bytes && symbol >= 0x80 { return String(format: "0x%02X", symbol) }
    switch symbol {
    case 0x0A: return "\\n"
    case 0x0D: return "\\r"
    case 0x09: return "\\t"
    case 0x20: return "space"
    default:
      guard let s = Unicode.Scalar(symbol) else { return "?" }
      if s.properties.generalCategory == .control || s.properties.isWhitespace {
        return String(format: "U+%04X", symbol)
      }
      return String(Character(s))
    }
  }
}

extension String {
  /// The first `n` Unicode scalars of the string (all of it when `n` is 0 or not
  /// smaller than its length): "characters" as the vocabulary counts them.
  public func prefix(scalars n: Int) -> String {
    guard n > 0, unicodeScalars.count > n else { return self }
    return String(String.UnicodeScalarView(unicodeScalars.prefix(n)))
  }
}
