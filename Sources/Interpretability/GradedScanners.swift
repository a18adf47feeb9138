// Scanners of the graded features: bracket depths and positions on the line and in the word. Values
// are non-negative whole numbers (as Float). Lines end at \n, at \r, and at the end of the text; a
// CRLF (\r\n) is one line end.

/// Nesting depth of one kind of bracket, counted everywhere (inside quotes and comments too).
///
/// The depth is the one after reading the character: the opener itself is at the new depth, the
/// closer at the depth it returns to. A closer at depth 0 leaves it at 0.
struct BracketDepth {
  let open: Unicode.Scalar
  let close: Unicode.Scalar
  private(set) var depth = 0

  init(open: Unicode.Scalar, close: Unicode.Scalar) {
    self.open = open
    self.close = close
  }

  mutating func read(_ c: Unicode.Scalar) -> Float {
    if c == open {
      depth += 1
    } else if c == close {
      depth = max(0, depth - 1)
    }
    return Float(depth)
  }
}

/// `paren_depth`: number of `(` not yet closed by `)`; `(a)` reads 1 1 0, `((a))` reads 1 2 2 1 0.
///
/// An unmatched `)` is ignored (the depth stays at 0); the depth carries across lines.
struct ParenDepthScanner: DescribedScanner {
  static let id = "paren_depth"
  static let name = "parenthesis depth"
  static let kind = FeatureKind.graded
  static let definition = """
    Number of ( not yet closed by ) after reading the character, so (a) reads 1 1 0, counted across \
    lines and inside quotes and comments. An unmatched ) leaves the depth at 0.
    """

  private var parens = BracketDepth(open: "(", close: ")")

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    parens.read(text[i])
  }
}

/// `bracket_depth`: number of `[` not yet closed by `]`; `[[a]]` reads 1 2 2 1 0.
///
/// An unmatched `]` is ignored (the depth stays at 0); the depth carries across lines.
struct BracketDepthScanner: DescribedScanner {
  static let id = "bracket_depth"
  static let name = "square bracket depth"
  static let kind = FeatureKind.graded
  static let definition = """
    Number of [ not yet closed by ] after reading the character, so [a] reads 1 1 0, counted across \
    lines and inside quotes and comments. An unmatched ] leaves the depth at 0.
    """

  private var brackets = BracketDepth(open: "[", close: "]")

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    brackets.read(text[i])
  }
}

/// `brace_depth`: number of `{` not yet closed by `}`; `{a{b}}` reads 1 1 2 2 1 0.
///
/// An unmatched `}` is ignored (the depth stays at 0); the depth carries across lines.
struct BraceDepthScanner: DescribedScanner {
  static let id = "brace_depth"
  static let name = "curly brace depth"
  static let kind = FeatureKind.graded
  static let definition = """
    Number of { not yet closed by } after reading the character, so {a} reads 1 1 0, counted across \
    lines and inside quotes and comments. An unmatched } leaves the depth at 0.
    """

  private var braces = BracketDepth(open: "{", close: "}")

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    braces.read(text[i])
  }
}

/// `line_position`: the column of the character, counted from 0 at the start of its line.
///
/// `ab\ncd` reads 0 1 2 0 1: a line end has the column just after the last character of its line.
/// In a CRLF the `\r` takes no column, so `ab\r\ncd` reads 0 1 2 2 0 1; a lone `\r` ends a line.
struct LinePositionScanner: DescribedScanner {
  static let id = "line_position"
  static let name = "position on the line"
  static let kind = FeatureKind.graded
  static let definition = """
    Number of characters before this one on its line, so the first character of a line is 0 and a line \
    end has the position just after the last character. The \\r\\n of a CRLF are one line end and both \
    get that position; a lone \\r also ends a line.
    """

  private var column = 0  // the column of the next character
  private var previous = 0  // the value at the previous position

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    let c = text[i]
    let isCRLFNewline = c == "\n" && i > 0 && text[i - 1] == "\r"
    let position = isCRLFNewline ? previous : column
    column = c.isLineEnd ? 0 : column + 1
    previous = position
    return Float(position)
  }
}

/// `chars_to_line_end`: how many characters follow this one before the line ends.
///
/// `abc\n` reads 2 1 0 0: the last character of a line is 0, and so are the line-end characters
/// themselves (`\r` and `\n` of a CRLF alike). The end of the text ends the last line. The scanner
/// looks ahead once per line and keeps only the index of the next line end.
struct CharsToLineEndScanner: DescribedScanner {
  static let id = "chars_to_line_end"
  static let name = "characters to line end"
  static let kind = FeatureKind.graded
  static let definition = """
    Number of characters after this one before the next line end (\\n, \\r or the end of the text), so \
    the last character of a line is 0; line-end characters themselves are 0.
    """

  private var lineStart = 0  // where the current look-ahead started
  private var lineEnd = -1  // the index of the next line end (or text.count) at or after lineStart

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    if i > lineEnd || i < lineStart {
      lineStart = i
      lineEnd = i
      while lineEnd < text.count, !text[lineEnd].isLineEnd { lineEnd += 1 }
    }
    return text[i].isLineEnd ? 0 : Float(lineEnd - i - 1)
  }
}

/// `indent`: the indentation of the line the character is on.
///
/// The number of spaces and tabs (each counting 1) at the start of the line, given to every character
/// of the line including its line end, so the leading spaces themselves already carry the full indent
/// (found by looking ahead at the start of each line). `  a\nb` reads 2 2 2 2 0. A line of only spaces
/// has their count as its indent. Other Unicode spaces do not indent.
struct IndentScanner: DescribedScanner {
  static let id = "indent"
  static let name = "indentation"
  static let kind = FeatureKind.graded
  static let definition = """
    Number of spaces and tabs (each counting 1) at the start of the current line, given to every \
    character of the line, including its leading spaces and its line end.
    """

  private var indent = 0

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    let startsLine = i == 0 || text[i - 1] == "\n" || (text[i - 1] == "\r" && text[i] != "\n")
    if startsLine {
      indent = 0
      while i + indent < text.count, text[i + indent] == " " || text[i + indent] == "\t" { indent += 1 }
    }
    return Float(indent)
  }
}

/// `word_position`: the position of the character in its word, from 1.
///
/// A word is a run of letters and digits (any script), so `it's` reads 1 2 0 1 and `a-b` reads 1 0 1;
/// every other character is 0. Combining marks split words too.
struct WordPositionScanner: DescribedScanner {
  static let id = "word_position"
  static let name = "position in the word"
  static let kind = FeatureKind.graded
  static let definition = """
    1 for the first letter or digit of a word, 2 for the second and so on, 0 for every other character; \
    a word is a run of letters and digits, so an apostrophe or a hyphen splits it.
    """

  private var run = 0

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    run = text[i].isWordCharacter ? run + 1 : 0
    return Float(run)
  }
}
