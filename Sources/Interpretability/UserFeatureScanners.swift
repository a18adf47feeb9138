// Scanners of the features a user describes in a features file (see UserFeatures.swift): spans between
// literal delimiters, regular-expression matches, distances since a match, and per-character labels.
//
// Like the built-in scanners, each value describes the state after reading character i. Spans stream
// with O(1) state; regex, distance and label scanners read a table computed once per text (the match
// ranges, or one label per character) and keep only a cursor into it.

import Foundation

/// A span between literal delimiters such as `$`…`$`, `\begin{`…`\end{` or `{`…`}`.
///
/// Delimiters are found left to right without overlapping: an occurrence counts when it ends at the
/// current character and starts after the last character of the previous delimiter taken, so with
/// `$$` as both delimiters `$$$$` is an opener then a closer. A delimiter is complete at its last
/// character; the value there already describes the state after it.
///
/// - Binary (`nested == false`): outside, only `open` is looked for; inside, only `close`. 1 from the
///   last character of `open` up to the character before the last character of `close`; when `open`
///   equals `close` every occurrence toggles. A span never closed runs to the end of the text.
/// - Graded (`nested == true`, `open != close`): both are looked for everywhere; the depth goes up by
///   one at the last character of `open` and down by one at the last character of `close`, never
///   below 0 (an unmatched closer is taken but changes nothing). If both end at the same character
///   the longer delimiter is taken. With `{` and `}` this is exactly `brace_depth`.
struct DelimiterSpanScanner: FeatureScanner, Sendable {
  let open: [Unicode.Scalar]
  let close: [Unicode.Scalar]
  let nested: Bool
  private var depth = 0  // binary: 0 or 1
  private var takenEnd = -1  // the index of the last character of the last delimiter taken

  /// `open` and `close` must be non-empty; with `nested` they must differ (checked by the loader).
  init(open: [Unicode.Scalar], close: [Unicode.Scalar], nested: Bool) {
    precondition(!open.isEmpty && !close.isEmpty && (!nested || open != close))
    self.open = open
    self.close = close
    self.nested = nested
  }

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    if nested {
      let opens = ends(open, at: i, in: text), closes = ends(close, at: i, in: text)
      if opens && (!closes || open.count > close.count) {
        depth += 1
        takenEnd = i
      } else if closes {
        depth = max(0, depth - 1)
        takenEnd = i
      }
    } else if ends(depth == 0 ? open : close, at: i, in: text) {
      depth = 1 - depth
      takenEnd = i
    }
    return Float(depth)
  }

  /// Whether `delimiter` ends at `i` and starts after the last delimiter taken.
  private func ends(_ delimiter: [Unicode.Scalar], at i: Int, in text: [Unicode.Scalar]) -> Bool {
    let start = i - delimiter.count + 1
    guard start > takenEnd, start >= 0 else { return false }
    for k in 0..<delimiter.count where text[start + k] != delimiter[k] { return false }
    return true
  }
}

/// Binary: 1 for the characters inside one of `ranges` (sorted, non-overlapping, in scalar indices).
struct RangeScanner: FeatureScanner, Sendable {
  let ranges: [Range<Int>]
  private var next = 0  // the first range that does not end at or before the current position

  init(ranges: [Range<Int>]) { self.ranges = ranges }

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    while next < ranges.count && ranges[next].upperBound <= i { next += 1 }
    return next < ranges.count && ranges[next].contains(i) ? 1 : 0
  }
}

/// Graded: the number of characters since the last character of the latest match that has ended, so
/// that last character reads 0, the next 1, and so on; while a longer match is being read the count
/// from the previous match goes on. Before the first match has ended, the value is i + 1, as if a match
/// had ended just before the text.
struct DistanceScanner: FeatureScanner, Sendable {
  let lastCharacters: [Int]  // the index of the last character of each match, increasing
  private var next = 0
  private var latest = -1

  init(lastCharacters: [Int]) { self.lastCharacters = lastCharacters }

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    while next < lastCharacters.count && lastCharacters[next] <= i {
      latest = lastCharacters[next]
      next += 1
    }
    return Float(i - latest)
  }
}

/// Binary: 1 where the per-character label table gives `label`.
struct LabelScanner: FeatureScanner, Sendable {
  let labels: [UInt16]  // one per character: 0 for no label, k for the k-th label name
  let label: UInt16

  mutating func value(at i: Int, in text: [Unicode.Scalar]) -> Float {
    i < labels.count && labels[i] == label ? 1 : 0
  }
}

/// Regular expressions of features files: ICU syntax through Foundation's `NSRegularExpression`, with
/// `^` and `$` matching at the start and end of every line and `.` not matching line ends.
enum FeatureRegex {
  /// Compiles `pattern`, or throws the reason it is invalid in a few words.
  static func compile(_ pattern: String) throws(InvalidPattern) -> NSRegularExpression {
    do {
      return try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
    } catch {
      // Foundation's error names no cause; Swift's regex parser, whose syntax is close to ICU's, often
      // can, so its first line is the reason when it rejects the pattern too.
      var reason = "ICU cannot compile it"
      do {
        _ = try Regex(pattern)
      } catch {
        let line = "\(error)".split(separator: "\n").first.map(String.init) ?? ""
        if !line.isEmpty && line.count < 120 { reason = line }
      }
      throw InvalidPattern(reason: reason)
    }
  }

  struct InvalidPattern: Error {
    let reason: String
  }

  /// The non-empty matches of `regex` in `text`, left to right and non-overlapping, as ranges of scalar
  /// indices. Empty matches (of `^`, `\b`, `x*` ...) contain no character and are left out.
  static func matches(of regex: NSRegularExpression, in text: [Unicode.Scalar]) -> [Range<Int>] {
    var string = String.UnicodeScalarView()
    string.append(contentsOf: text)
    let s = String(string)
    // NSRange counts UTF-16 units; walk the scalars once to turn them into scalar indices (matches
    // come in order and never split a surrogate pair). Enumerated, not collected, so that a pattern
    // matching everywhere (`.`) keeps no million result objects.
    var ranges: [Range<Int>] = []
    var scalar = 0, unit = 0
    func index(ofUnit target: Int) -> Int {
      while unit < target {
        unit += text[scalar].utf16.count
        scalar += 1
      }
      return scalar
    }
    regex.enumerateMatches(in: s, options: [], range: NSRange(location: 0, length: s.utf16.count)) {
      match, _, _ in
      guard let range = match?.range, range.location != NSNotFound, range.length > 0 else { return }
      let start = index(ofUnit: range.location)
      ranges.append(start..<index(ofUnit: range.location + range.length))
    }
    return ranges
  }
}
