// Scanners of the character-class features (ids is_*): binary features that look at character i alone.
// They are the trivial baseline: a cell that merely fires on letters should not be credited with more.
// Classes follow the Unicode general categories, so "É" is upper case and "ж" a letter.

/// `is_space`: a horizontal space.
///
/// Space, tab, and the other Unicode space separators (category Zs, e.g. U+00A0 no-break space).
/// Line ends (`\n`, `\r`) are not spaces; vertical tab and form feed are neither spaces nor line ends.
struct SpaceScanner: DescribedScanner {
  static let id = "is_space"
  static let name = "space or tab"
  static let kind = FeatureKind.binary
  static let definition = """
    1 for a space, a tab or another horizontal Unicode space such as the no-break space; 0 for line ends.
    """

  func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    text[i].isHorizontalSpace ? 1 : 0
  }
}

/// `is_newline`: a line-end character.
///
/// `\n` and `\r`, so both characters of a CRLF are 1. Other Unicode line separators (U+2028, U+0085)
/// are 0, matching the line ends of the graded line features.
struct NewlineScanner: DescribedScanner {
  static let id = "is_newline"
  static let name = "line end"
  static let kind = FeatureKind.binary
  static let definition = """
    1 for \\n and \\r, so both characters of a CRLF line end; 0 for everything else, including the \
    rarer Unicode line separators.
    """

  func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    text[i].isLineEnd ? 1 : 0
  }
}

/// `is_letter`: a letter of any script and case (general category L*).
///
/// Digits, combining marks (a decomposed accent U+0301) and letter-like numerals (Ⅻ) are not letters.
struct LetterScanner: DescribedScanner {
  static let id = "is_letter"
  static let name = "letter"
  static let kind = FeatureKind.binary
  static let definition = """
    1 for a Unicode letter of any script and case (general category L*), such as a, É, ж or 中; \
    0 for digits, combining accents and everything else.
    """

  func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    text[i].isLetter ? 1 : 0
  }
}

/// `is_upper`: an upper-case character (the Unicode Uppercase property).
///
/// Includes accented and non-Latin capitals (É, Ж); caseless letters (中) are 0.
struct UppercaseScanner: DescribedScanner {
  static let id = "is_upper"
  static let name = "upper-case letter"
  static let kind = FeatureKind.binary
  static let definition = """
    1 for an upper-case character (Unicode Uppercase property) such as A, É or Ж; 0 for lower-case \
    and caseless letters (such as 中), digits and symbols.
    """

  func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    text[i].properties.isUppercase ? 1 : 0
  }
}

/// `is_digit`: a decimal digit of any script (general category Nd).
///
/// 0-9 and, e.g., the Arabic-Indic digits; superscripts (²) and other numerals (Ⅻ, ½) are 0.
struct DigitScanner: DescribedScanner {
  static let id = "is_digit"
  static let name = "digit"
  static let kind = FeatureKind.binary
  static let definition = """
    1 for a decimal digit (0 to 9 or a digit of another script); 0 for other numerals such as ², ½ or Ⅻ.
    """

  func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    text[i].isDecimalDigit ? 1 : 0
  }
}

/// `is_punct`: punctuation or symbol (general categories P* and S*).
///
/// On ASCII this is exactly C's `ispunct`: every printable character that is not a letter, digit or
/// space, including the symbols `$ + < = > ^ ` | ~`. Beyond ASCII it includes typographic quotes and
/// dashes, currency signs and emoji.
struct PunctuationScanner: DescribedScanner {
  static let id = "is_punct"
  static let name = "punctuation or symbol"
  static let kind = FeatureKind.binary
  static let definition = """
    1 for Unicode punctuation and symbols (categories P* and S*): on ASCII, every printable character \
    that is not a letter, digit or space, including $ + < = > ^ | ~; beyond ASCII also dashes, \
    typographic quotes, currency signs and emoji.
    """

  func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    text[i].isPunctuationOrSymbol ? 1 : 0
  }
}

// MARK: - Character classes shared by the scanners

extension Unicode.Scalar {
  /// `\n` or `\r`: the characters that end a line (a CRLF is two of them).
  var isLineEnd: Bool { self == "\n" || self == "\r" }

  /// Space, tab, or another horizontal Unicode space (category Zs, e.g. a no-break space).
  var isHorizontalSpace: Bool {
    self == " " || self == "\t" || properties.generalCategory == .spaceSeparator
  }

  /// A Unicode letter of any script and case (general category L*).
  var isLetter: Bool {
    switch properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
    default: false
    }
  }

  /// A decimal digit of any script (general category Nd).
  var isDecimalDigit: Bool { properties.generalCategory == .decimalNumber }

  /// A letter or a decimal digit: the characters that make up words.
  var isWordCharacter: Bool { isLetter || isDecimalDigit }

  /// Unicode punctuation or symbol (general categories P* and S*).
  var isPunctuationOrSymbol: Bool {
    switch properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
      .initialPunctuation, .finalPunctuation, .otherPunctuation,
      .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
      true
    default: false
    }
  }
}
