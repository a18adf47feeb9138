// Scanners of the span features (ids in_*): binary features that are 1 inside a stretch of text such as
// a quotation, wiki markup, a URL, an XML tag, or a comment or string literal of C-like code.
//
// Each value describes the state after reading character i: an opening delimiter is inside, a closing
// one is outside; of a two-character opener ([[, /*) the first character is outside and the second
// inside, and of a two-character closer (]], */) the first is inside and the second outside.

/// `in_double_quotes`: inside a double-quoted passage of prose.
///
/// A straight `"` toggles the state; a typographic `“` always opens and `”` always closes. A quote
/// right after an unescaped backslash (`\"`, but not `\\"`) changes nothing, anywhere in the text.
/// The state carries across line ends (quotes may span lines), so an unmatched quote inverts the rest
/// of the text up to the next quote. Other quote marks (`„`, `«»`, single quotes) are ignored.
struct DoubleQuoteScanner: DescribedScanner {
  static let id = "in_double_quotes"
  static let name = "inside double quotes"
  static let kind = FeatureKind.binary
  static let definition = """
    1 from an opening double quote up to its closing quote, so "a" reads 110. A straight " opens when \
    it follows a space, a line start or an opening bracket and precedes a non-space, closes when it \
    follows a non-space and precedes a space, punctuation or the end, and toggles otherwise; a \
    typographic “ opens and ” closes; a quote escaped by a backslash changes nothing; a blank line \
    closes any open quote (prose continues a quotation into a new paragraph by opening it again).
    """

  private var inside = false
  private var escaped = false
  private var newlines = 0  // consecutive line ends seen, ignoring \r and spaces

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    let c = text[i]
    if escaped {
      escaped = false
    } else if c == "\\" {
      escaped = true
    } else if c == "\"" {
      let before = i > 0 ? text[i - 1] : "\n", after = i + 1 < text.count ? text[i + 1] : "\n"
      let opensAfter = before.properties.isWhitespace || "([{<=".unicodeScalars.contains(before)
      let closesBefore = after.properties.isWhitespace || ".,;:!?)]}>".unicodeScalars.contains(after)
      if opensAfter && !closesBefore {
        inside = true
      } else if !opensAfter && closesBefore {
        inside = false
      } else {
        inside.toggle()
      }
    } else if c == "“" {
      inside = true
    } else if c == "”" {
      inside = false
    }
    if c == "\n" {
      newlines += 1
      if newlines >= 2 { inside = false }
    } else if c != "\r" && c != " " && c != "\t" {
      newlines = 0
    }
    return inside ? 1 : 0
  }
}

/// Nesting depth of a doubled delimiter such as `[[ ]]` or `{{ }}`.
///
/// Delimiters pair up left to right: `[[[` is one opener followed by a lone `[`, and a lone bracket
/// does nothing. The depth goes up at the second character of an opener and down at the second
/// character of a closer, never below 0.
struct DoubledDelimiterDepth {
  let open: Unicode.Scalar
  let close: Unicode.Scalar
  private(set) var depth = 0
  private var pendingOpen = false  // the previous character was an unpaired `open`
  private var pendingClose = false  // the previous character was an unpaired `close`

  init(open: Unicode.Scalar, close: Unicode.Scalar) {
    self.open = open
    self.close = close
  }

  mutating func read(_ c: Unicode.Scalar) {
    if c == open {
      pendingClose = false
      if pendingOpen { depth += 1 }
      pendingOpen.toggle()
    } else if c == close {
      pendingOpen = false
      if pendingClose { depth = max(0, depth - 1) }
      pendingClose.toggle()
    } else {
      pendingOpen = false
      pendingClose = false
    }
  }

  mutating func reset() {
    self = DoubledDelimiterDepth(open: open, close: close)
  }
}

/// `in_wiki_link`: inside a MediaWiki link `[[...]]`.
///
/// On from the second `[` of `[[` (the first is still outside) up to the second `]` of the closing
/// `]]` (which is outside): `[[a]]` reads 01110. Links nest by depth count, as in image captions
/// `[[File:x|a [[b]] c]]`. Since MediaWiki links never span lines, a line end closes every open link
/// (the line end itself is outside); stray `]]` are ignored.
struct WikiLinkScanner: DescribedScanner {
  static let id = "in_wiki_link"
  static let name = "inside a [[wiki link]]"
  static let kind = FeatureKind.binary
  static let definition = """
    1 from the second [ of [[ up to the second ] of the matching ]], so [[a]] reads 01110; links nest \
    by depth count. A single bracket does nothing, extra ]] are ignored, and a line end closes every \
    open link.
    """

  private var brackets = DoubledDelimiterDepth(open: "[", close: "]")

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    if text[i].isLineEnd {
      brackets.reset()
    } else {
      brackets.read(text[i])
    }
    return brackets.depth > 0 ? 1 : 0
  }
}

/// `in_wiki_template`: inside a MediaWiki template `{{...}}`.
///
/// On from the second `{` of `{{` up to the second `}` of the closing `}}`: `{{a}}` reads 01110.
/// Templates nest by depth count and span lines (infoboxes); stray `}}` are ignored. A template
/// parameter `{{{x}}}` pairs as `{{` + `{` and `}}` + `}`, so it reads 0111100.
struct WikiTemplateScanner: DescribedScanner {
  static let id = "in_wiki_template"
  static let name = "inside a {{wiki template}}"
  static let kind = FeatureKind.binary
  static let definition = """
    1 from the second { of {{ up to the second } of the matching }}, so {{a}} reads 01110; templates \
    nest by depth count and may span lines. A single brace does nothing and extra }} are ignored.
    """

  private var braces = DoubledDelimiterDepth(open: "{", close: "}")

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    braces.read(text[i])
    return braces.depth > 0 ? 1 : 0
  }
}

/// `in_url`: inside a web address.
///
/// A URL starts at `http://`, `https://` or `www.` (ASCII case ignored) when the character before is
/// not a letter or digit (so `awww.` does not start one). On reaching the start, the scanner looks
/// ahead once for the end: the URL runs up to whitespace, a line end, the end of the text, or one of
/// `] ) > < " ' | }`, which is not part of it; then trailing sentence punctuation `. , ; : ! ?` is
/// dropped (`see www.a.org.` ends before the period). Only the end index is kept as state.
struct URLScanner: DescribedScanner {
  static let id = "in_url"
  static let name = "inside a URL"
  static let kind = FeatureKind.binary
  static let definition = """
    1 from the h of http:// or https:// (or the first w of www.), not preceded by a letter or digit, \
    through the last character of the address. A URL ends before whitespace, a line end or any of \
    ] ) > < " ' | }, and trailing . , ; : ! ? are not part of it.
    """

  private var end = 0  // one past the last character of the current URL

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    if i >= end, Self.startsURL(at: i, in: text) {
      end = Self.urlEnd(from: i, in: text)
    }
    return i < end ? 1 : 0
  }

  private static let prefixes: [[Unicode.Scalar]] = ["https://", "http://", "www."].map {
    Array($0.unicodeScalars)
  }

  static func startsURL(at i: Int, in text: [Unicode.Scalar]) -> Bool {
    if i > 0 && text[i - 1].isWordCharacter { return false }
    return prefixes.contains { prefix in
      i + prefix.count <= text.count
        && zip(prefix, text[i...]).allSatisfy { $0 == $1.asciiLowercased }
    }
  }

  static func urlEnd(from start: Int, in text: [Unicode.Scalar]) -> Int {
    var end = start
    while end < text.count, !isTerminator(text[end]) { end += 1 }
    while end > start, ".,;:!?".unicodeScalars.contains(text[end - 1]) { end -= 1 }
    return end
  }

  private static func isTerminator(_ c: Unicode.Scalar) -> Bool {
    c.properties.isWhitespace || "])><\"'|}".unicodeScalars.contains(c)
  }
}

extension Unicode.Scalar {
  /// The scalar with ASCII upper-case letters mapped to lower case.
  fileprivate var asciiLowercased: Unicode.Scalar {
    ("A"..."Z").contains(self) ? Unicode.Scalar(value + 32)! : self
  }
}

/// `in_xml_tag`: inside an XML or HTML tag.
///
/// A `<` starts a tag when the next character is a letter, `/`, `!` or `?` (so `a < b` and `<3` are
/// not tags); the tag ends at the next `>`, which is outside: `<b>` reads 110. Quoted attribute values
/// and comments are not parsed, so the first `>` always ends the tag; a tag may span lines, and one
/// with no `>` runs to the end of the text.
struct XMLTagScanner: DescribedScanner {
  static let id = "in_xml_tag"
  static let name = "inside an XML/HTML tag"
  static let kind = FeatureKind.binary
  static let definition = """
    1 from a < followed by a letter, /, ! or ? up to the next >, so <b> reads 110; any other < is not \
    a tag. Attribute quotes are not parsed, so the first > always ends the tag, and a tag without > \
    runs to the end of the text.
    """

  private var inside = false

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    if inside {
      if text[i] == ">" { inside = false }
    } else if text[i] == "<", i + 1 < text.count {
      let next = text[i + 1]
      inside = next.isLetter || next == "/" || next == "!" || next == "?"
    }
    return inside ? 1 : 0
  }
}

/// A minimal lexer of C-like code that tells comments and string literals apart.
///
/// - `//` opens a comment that ends at the line end; `/*` opens one that ends at `*/` or the end of
///   the text (`/*/` does not close itself).
/// - `"` and `'` open a literal that ends at the same quote not escaped by a backslash, or at a line
///   end (even an escaped one). Backslashes matter only inside literals.
/// - Comment markers inside literals and quotes inside comments are plain characters.
struct CLikeLexer {
  enum State: Equatable {
    case code
    case lineComment
    case blockComment
    case literal(quote: Unicode.Scalar)
  }

  private(set) var state = State.code
  private var pendingSlash = false  // code: the previous character was a `/` that may open a comment
  private var pendingStar = false  // block comment: the previous character was a `*` that may close it
  private var escaped = false  // literal: the previous character was an unescaped backslash

  var inComment: Bool { state == .lineComment || state == .blockComment }

  /// A `'` opens a literal unless it is an apostrophe inside a word (`don't`), and only
  /// when a matching `'` follows on the same line, so prose apostrophes open nothing.
  static func opensCharacterLiteral(_ text: [Unicode.Scalar], at i: Int) -> Bool {
    func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
      s.properties.isAlphabetic || s.properties.numericType != nil
    }
    if i > 0, i + 1 < text.count, isWordCharacter(text[i - 1]), isWordCharacter(text[i + 1]) { return false }
    var j = i + 1, escaped = false
    while j < text.count, !text[j].isLineEnd {
      if escaped {
        escaped = false
      } else if text[j] == "\\" {
        escaped = true
      } else if text[j] == "'" {
        return true
      }
      j += 1
    }
    return false
  }
  var inLiteral: Bool { if case .literal = state { true } else { false } }

  mutating func read(_ text: [Unicode.Scalar], at i: Int) {
    let c = text[i]
    switch state {
    case .code:
      if pendingSlash && c == "/" {
        state = .lineComment
      } else if pendingSlash && c == "*" {
        state = .blockComment
        pendingStar = false
      } else if c == "\"" || (c == "'" && Self.opensCharacterLiteral(text, at: i)) {
        state = .literal(quote: c)
        escaped = false
      }
      pendingSlash = state == .code && c == "/"
    case .lineComment:
      if c.isLineEnd { state = .code }
    case .blockComment:
      if pendingStar && c == "/" {
        state = .code
      }
      pendingStar = c == "*"
    case .literal(let quote):
      if c.isLineEnd {
        state = .code
      } else if escaped {
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == quote {
        state = .code
      }
    }
  }
}

/// `in_comment`: inside a comment of C-like code (C, C++, Java, JavaScript, Swift, ...).
///
/// `/*a*/` reads 01110 (the first `/` is still code, the closing `/` is code again) and `//a` + line
/// end reads 0110: the line end is outside. An unterminated `/*` runs to the end of the text; `/*` or
/// `//` inside a string literal opens nothing. See `CLikeLexer`.
struct CommentScanner: DescribedScanner {
  static let id = "in_comment"
  static let name = "inside a code comment"
  static let kind = FeatureKind.binary
  static let definition = """
    1 inside /* ... */ and // ... comments of C-like code, from the second character of the opening \
    marker up to the closing / of */ or the line end (both outside), so /*a*/ reads 01110. An \
    unterminated /* runs to the end of the text, and comment markers inside string literals do not count.
    """

  private var lexer = CLikeLexer()

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    lexer.read(text, at: i)
    return lexer.inComment ? 1 : 0
  }
}

/// `in_string_literal`: inside a string or character literal of C-like code.
///
/// `"a"` reads 110 and `'a'` reads 110: the opening quote is inside, the closing one outside. A
/// backslash escapes the next character (`"\""` is one literal), and a line end ends the literal
/// (the line end is outside). Quotes inside comments open nothing. A `'` opens a literal only when a
/// matching `'` follows on the same line and it is not an apostrophe inside a word. See `CLikeLexer`.
struct StringLiteralScanner: DescribedScanner {
  static let id = "in_string_literal"
  static let name = "inside a code string literal"
  static let kind = FeatureKind.binary
  static let definition = """
    1 from an opening " or ' up to the matching quote not escaped by a backslash, so "a" reads 110; \
    a line end also ends the literal. Quotes inside comments do not count; a ' opens a literal only when \
    a matching ' follows on the same line and it is not an apostrophe inside a word (don't).
    """

  private var lexer = CLikeLexer()

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    lexer.read(text, at: i)
    return lexer.inLiteral ? 1 : 0
  }
}
