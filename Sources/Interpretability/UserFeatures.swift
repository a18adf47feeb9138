// Features a user describes in a features file, without writing Swift: what each kind means and how an
// entry becomes `TextFeature` values for one text. Parsing and validation are in FeatureFile.swift, the
// scanners in UserFeatureScanners.swift.

import Foundation

/// What a labels file gives one label to: each character of the text, or each line.
public enum LabelUnit: String, Sendable, Equatable {
  case character
  case line
}

/// One validated entry of a features file.
public struct UserFeatureSpec: Sendable, Equatable {
  /// What the entry computes.
  public enum Kind: Sendable, Equatable {
    /// Binary inside `open`…`close` (literal strings, non-empty), or graded depth with `nested`.
    case span(open: String, close: String, nested: Bool)
    /// Binary: 1 on the characters inside each non-empty match of `pattern`.
    case regex(pattern: String)
    /// Graded: characters since the last character of the latest match of `pattern`.
    case distance(pattern: String)
    /// One binary feature per distinct label of a labels file (`file` as written in the features file).
    case labels(file: String, per: LabelUnit, table: LabelTable)
  }

  /// snake_case, unique in the file and not a built-in feature's id.
  public let id: String
  public let name: String
  /// The user's definition, or nil for the generated one (`TextFeature.definition` always has one).
  public let definition: String?
  public let kind: Kind
  /// 1-based position in the `features:` list, and the line it starts on (for error messages).
  public let entry: Int
  public let line: Int?
}

/// The labels of a labels file: one line of the file per character (or line) of the text, each line
/// a label with surrounding spaces and tabs removed; an empty line means no label there.
public struct LabelTable: Sendable, Equatable {
  /// The distinct non-empty labels, sorted (Swift string order), so feature order is stable.
  public let names: [String]
  /// One per line of the labels file: 0 for no label, k for `names[k - 1]`.
  public let items: [UInt16]

  /// At most this many distinct labels per file: each becomes a feature scored on every cell.
  public static let maxLabels = 256
  /// At most this many bytes (a label per character of a 50M-character text at ~5 bytes a line).
  public static let maxBytes = 256 << 20

  /// Parses labels text: lines end at \n (a \r before it is dropped); a final line end is optional.
  /// With more than `maxLabels` distinct labels, `names` lists them all and `items` is empty (the
  /// loader refuses such a table).
  init(text: String) {
    // Split the scalars: as Characters, \r\n is one grapheme and would not split at \n.
    var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
    if text.unicodeScalars.last == "\n" { lines.removeLast() }
    let labels = lines.map {
      String(String.UnicodeScalarView($0)).trimmingCharacters(in: CharacterSet(charactersIn: " \t\r"))
    }
    let names = Set(labels).subtracting([""]).sorted()
    self.names = names
    guard names.count <= Self.maxLabels else {
      self.items = []
      return
    }
    let number = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, UInt16($0 + 1)) })
    self.items = labels.map { number[$0] ?? 0 }
  }

  /// One label per character of `text`: the table itself for `.character`, or each line's label
  /// repeated over the line's characters for `.line` (lines end after each \n; a last line without \n
  /// counts too). Nil when the table does not have one label per character (or line).
  func perCharacter(of text: [Unicode.Scalar], per: LabelUnit) -> [UInt16]? {
    if per == .character { return items.count == text.count ? items : nil }
    guard items.count == Self.lineCount(of: text) else { return nil }
    var out = [UInt16](), line = 0
    out.reserveCapacity(text.count)
    for c in text {
      out.append(items[line])
      if c == "\n" { line += 1 }
    }
    return out
  }

  /// Lines of `text` as `per: line` counts them: one per \n, plus one if the text does not end with \n.
  static func lineCount(of text: [Unicode.Scalar]) -> Int {
    text.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) } + (text.last.map { $0 == "\n" ? 0 : 1 } ?? 0)
  }
}

extension UserFeatureSpec {
  /// The features of this entry for `text` (one for span, regex and distance; one per label).
  ///
  /// - Throws: `labelCount` when a labels table does not match the text's characters or lines.
  /// - Note: regex and distance features find their matches here, once; the features are valid for
  ///   this text only (any other text reads the matches of this one).
  /// With `cut`, `text` is the whole file the analysed text was cut from, and a labels file may give
  /// one label per character (or line) of either.
  func features(for text: [Unicode.Scalar], file: String, cut: LabelCut? = nil) throws(FeatureFileError)
    -> [TextFeature]
  {
    switch kind {
    case .span(let open, let close, let nested):
      let o = Array(open.unicodeScalars), c = Array(close.unicodeScalars)
      return [
        feature(
          kind: nested ? .graded : .binary, rule: Self.spanRule(open: open, close: close, nested: nested)
        ) {
          DelimiterSpanScanner(open: o, close: c, nested: nested)
        }
      ]
    case .regex(let pattern):
      let ranges = Self.mergingAdjacent(try matches(pattern, in: text, file: file))
      let rule = """
        1 on every character inside a match of the regular expression \(pattern) (ICU syntax; ^ and $ \
        match at line ends), 0 elsewhere; matches are found left to right without overlapping.
        """
      return [feature(kind: .binary, rule: rule) { RangeScanner(ranges: ranges) }]
    case .distance(let pattern):
      let ends = try matches(pattern, in: text, file: file).map { $0.upperBound - 1 }
      let rule = """
        Number of characters since the last character of the latest match of \(pattern) (0 on that \
        character); while a match is being read the previous count goes on; before the first match the \
        position counted from 1.
        """
      return [feature(kind: .graded, rule: rule) { DistanceScanner(lastCharacters: ends) }]
    case .labels(let path, let per, let table):
      guard
        let labels = table.perCharacter(of: text, per: per)
          ?? cut?.labels(table, per: per, sourceCount: text.count)
      else {
        func count(_ t: [Unicode.Scalar]) -> Int { per == .character ? t.count : LabelTable.lineCount(of: t) }
        throw badEntry(
          .labelCount(
            path: path, per: per, got: table.items.count, expected: count(cut?.analysed ?? text),
            whole: cut.map { _ in count(text) }),
          file: file)
      }
      return table.names.enumerated().map { k, label in
        let code = UInt16(k + 1)
        return TextFeature(
          id: "\(id)_\(Self.idSuffix(label))", name: "\(name): \(label)", kind: .binary,
          definition: (definition.map { $0 + " " } ?? "")
            + "1 where the labels file \(path) gives the label \(label) (one label per \(per.rawValue)), 0 elsewhere.",
          makeScanner: { LabelScanner(labels: labels, label: code) })
      }
    }
  }

  private func feature(
    kind: FeatureKind, rule: String, makeScanner: @escaping @Sendable () -> any FeatureScanner
  ) -> TextFeature {
    TextFeature(id: id, name: name, kind: kind, definition: definition ?? rule, makeScanner: makeScanner)
  }

  func badEntry(_ problem: FeatureFileError.EntryProblem, file: String) -> FeatureFileError {
    .badEntry(file: file, entry: entry, id: id, line: line, problem: problem)
  }

  private func matches(_ pattern: String, in text: [Unicode.Scalar], file: String) throws(FeatureFileError)
    -> [Range<Int>]
  {
    do {
      return FeatureRegex.matches(of: try FeatureRegex.compile(pattern), in: text)
    } catch {
      throw badEntry(.badPattern(pattern, reason: error.reason), file: file)
    }
  }

  /// Merges ranges that touch (`a..<b`, `b..<c`): same values, fewer ranges for patterns like `.`.
  static func mergingAdjacent(_ ranges: [Range<Int>]) -> [Range<Int>] {
    var out: [Range<Int>] = []
    for r in ranges {
      if let last = out.last, last.upperBound == r.lowerBound {
        out[out.count - 1] = last.lowerBound..<r.upperBound
      } else {
        out.append(r)
      }
    }
    return out
  }

  static func spanRule(open: String, close: String, nested: Bool) -> String {
    if nested {
      return """
        Number of \(open) not yet closed by \(close) after reading the character: the last character of \
        \(open) is at the new depth, the last of \(close) at the depth it returns to; an unmatched \(close) \
        leaves the depth at 0.
        """
    }
    if open == close {
      return """
        1 between one \(open) and the next: each \(open) toggles, the last character of an opening one is \
        inside and the last of a closing one outside; an unclosed span runs to the end of the text.
        """
    }
    return """
      1 from the last character of \(open) up to the character before the last character of the next \
      \(close); delimiters do not overlap, and an unclosed span runs to the end of the text.
      """
  }

  /// A label as the end of a snake_case id: ASCII letters lowered, digits kept, runs of anything else
  /// one `_`, no `_` at the ends; a label with no letter or digit becomes `u` and its code points in
  /// hex (`.` gives `u2e`, `->` gives `u2d_3e`).
  public static func idSuffix(_ label: String) -> String {
    var out = "", pendingUnderscore = false
    for c in label.unicodeScalars {
      if c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c)) {
        if pendingUnderscore && !out.isEmpty { out += "_" }
        pendingUnderscore = false
        out.unicodeScalars.append(contentsOf: String(c).lowercased().unicodeScalars)
      } else {
        pendingUnderscore = true
      }
    }
    if out.isEmpty {
      out = "u" + label.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: "_")
    }
    return out
  }
}

/// The analysed part of a file whose features are computed on the whole file (see
/// `FeatureSourceMap`): labels written for the analysed text are placed at its characters' places in
/// the file.
public struct LabelCut: Sendable {
  /// The analysed text, and each of its characters' index in the file.
  let analysed: [Unicode.Scalar]
  let positions: [Int]

  public init(analysed: [Unicode.Scalar], positions: [Int]) {
    self.analysed = analysed
    self.positions = positions
  }

  /// One label per character of a file of `sourceCount` characters (0, no label, where the analysis
  /// does not read), from a table for the analysed text; nil when the table does not fit it.
  func labels(_ table: LabelTable, per: LabelUnit, sourceCount: Int) -> [UInt16]? {
    guard let labels = table.perCharacter(of: analysed, per: per) else { return nil }
    var out = [UInt16](repeating: 0, count: sourceCount)
    for (p, q) in positions.enumerated() where q < sourceCount { out[q] = labels[p] }
    return out
  }
}
