// Descriptions of cells no feature explains, without a language model (issue 14, item 5): the short
// patterns of preceding characters after which a cell is high, found on one part of the text and
// scored on the rest by precision, recall and F1 ("high after `www.` (F1 0.83)"). The character-level
// form of Neuron2Graph (Foote et al. 2023): literal suffixes instead of a trie of pruned contexts.

import Foundation

/// One pattern of preceding characters and how well it predicts that the cell is active.
public struct PatternScore: Codable, Sendable, Equatable {
  /// The pattern for display: whitespace and control characters escaped (`\n`, `\t`, `\r`, `\u{1B}`),
  /// a space shown as `␣` (U+2423) so that leading and trailing spaces stay visible, `\` as `\\`.
  public var pattern: String
  /// The literal characters (Unicode scalars, or bytes for a byte-level model), oldest first: the
  /// pattern matches at position t when these are the characters t − count + 1 ... t.
  public var symbols: [UInt32]
  /// On the held-out part: P(active | pattern), P(pattern | active), and their harmonic mean.
  /// 0 when undefined (the pattern never occurs, or the cell is never active there).
  public var precision: Double, recall: Double, f1: Double
  /// F1 on the fit part, where the pattern was chosen.
  public var fitF1: Double
  /// Held-out positions where the pattern occurs.
  public var heldOutMatches: Int
}

/// What a cell responds to, as patterns of preceding characters; `sentence` is ready for the cell page.
public struct CellDescription: Codable, Sendable, Equatable {
  /// "high" (value ≥ threshold) or "low" (value ≤ threshold): see `CellDescriptions.describe`.
  public var direction: String
  /// Half the cell's maximum (high) or half its minimum (low).
  public var threshold: Double
  public var fitPositions: Int, heldOutPositions: Int
  /// Held-out positions where the cell is active.
  public var heldOutActive: Int
  /// The best patterns by fit-part F1, best first, at most `count` of `describe`; none of them is a
  /// suffix of another (the longer one would add no information or only repeat the shorter one).
  public var patterns: [PatternScore]
  /// "high after `www.` (F1 0.83)", with the held-out F1 of the first pattern; or a sentence saying that
  /// no pattern was found.
  public var sentence: String
}

public enum CellDescriptions {
  /// Describes one cell by the suffixes of the text that precede its active positions.
  ///
  /// - symbols, values: (n) the analysed text and the cell's value after reading each character (a
  ///   contiguous stretch, e.g. the report's excerpt of up to 100,000 characters).
  /// - maximum, minimum: the cell's extremes over the whole analysed text (`CellReport.max`, `.min`).
  ///   The cell is described on its larger side: if maximum ≥ −minimum it is *active* where
  ///   value ≥ maximum / 2 ("high"), otherwise where value ≤ minimum / 2 ("low").
  /// - Split: alternating contiguous blocks of `blockSize` characters (`BlockSplit`, reduced to n / 4
  ///   for short texts); patterns are counted and chosen on the even blocks, scored on the odd ones.
  /// - Candidates: every suffix of length 1 ... `maxLength` ending at a fit-part position (the
  ///   characters may reach back into the preceding block), occurring at least `minimumCount` times
  ///   in the fit part; ranked by fit-part F1, then shorter first, then by their scalars.
  /// - Cost: n · maxLength dictionary steps and at most n · maxLength trie nodes (about 50 bytes each).
  /// Throws `ProbeError.shape` when symbols and values differ in length.
  public static func describe(
    symbols: [UInt32], values: [Float], maximum: Double, minimum: Double, maxLength: Int = 8,
    minimumCount: Int = 5, count: Int = 3, blockSize: Int = 2000
  ) throws -> CellDescription {
    guard symbols.count == values.count else {
      throw ProbeError.shape("cell description of \(symbols.count) characters with \(values.count) values")
    }
    let n = symbols.count
    let high = maximum >= -minimum
    let threshold = high ? maximum / 2 : minimum / 2
    let active = values.map { v in
      threshold != 0 && (high ? Double(v) >= threshold : Double(v) <= threshold)
    }
    let split = BlockSplit(blockSize: min(blockSize, n / 4))
    var fitActive = 0, heldActive = 0, fitCount = 0
    for t in 0..<n {
      if split.isHeldOut(t) {
        heldActive += active[t] ? 1 : 0
      } else {
        fitCount += 1
        fitActive += active[t] ? 1 : 0
      }
    }

    // A trie of the reversed suffixes: node (parent, scalar) → child; counts of occurrences and of
    // active positions per node.
    var child: [Int: Int32] = [:]
    var parent: [Int32] = [-1], scalar: [UInt32] = [0], depth: [Int8] = [0]
    var total: [Int32] = [0], hits: [Int32] = [0]
    if fitActive > 0 {
      for t in 0..<n where !split.isHeldOut(t) {
        var node = 0
        for length in 1...max(1, maxLength) where t - length + 1 >= 0 {
          let s = symbols[t - length + 1]
          let key = node << 32 | Int(s)
          if let c = child[key] {
            node = Int(c)
          } else {
            child[key] = Int32(parent.count)
            parent.append(Int32(node))
            scalar.append(s)
            depth.append(Int8(length))
            total.append(0)
            hits.append(0)
            node = parent.count - 1
          }
          total[node] += 1
          if active[t] { hits[node] += 1 }
        }
      }
    }
    // Depth L holds the character L − 1 before the position, so walking up to the root reads the
    // pattern oldest character first.
    func pattern(_ node: Int) -> [UInt32] {
      var out: [UInt32] = []
      var v = node
      while v > 0 {
        out.append(scalar[v])
        v = Int(parent[v])
      }
      return out
    }
    func f1(_ hit: Int, _ matches: Int, _ positives: Int) -> (Double, Double, Double) {
      guard matches > 0, positives > 0, hit > 0 else { return (0, 0, 0) }
      let p = Double(hit) / Double(matches), r = Double(hit) / Double(positives)
      return (p, r, 2 * p * r / (p + r))
    }
    var ranked: [(node: Int, f1: Double, symbols: [UInt32])] = []
    for v in 1..<parent.count where Int(total[v]) >= minimumCount && hits[v] > 0 {
      ranked.append((v, f1(Int(hits[v]), Int(total[v]), fitActive).2, pattern(v)))
    }
    ranked.sort {
      if $0.f1 != $1.f1 { return $0.f1 > $1.f1 }
      if $0.symbols.count != $1.symbols.count { return $0.symbols.count < $1.symbols.count }
      return $0.symbols.lexicographicallyPrecedes($1.symbols)
    }
    var patterns: [PatternScore] = []
    for candidate in ranked where patterns.count < count {
      let s = candidate.symbols
      if patterns.contains(where: { isSuffix($0.symbols, of: s) || isSuffix(s, of: $0.symbols) }) { continue }
      var matches = 0, hit = 0
      for t in 0..<n where split.isHeldOut(t) && t + 1 >= s.count {
        if symbols[(t + 1 - s.count)...t].elementsEqual(s) {
          matches += 1
          if active[t] { hit += 1 }
        }
      }
      let (p, r, f) = f1(hit, matches, heldActive)
      patterns.append(
        PatternScore(
          pattern: display(s), symbols: s, precision: p, recall: r, f1: f, fitF1: candidate.f1,
          heldOutMatches: matches))
    }
    let direction = high ? "high" : "low"
    let sentence: String
    if let first = patterns.first {
      sentence = "\(direction) after `\(first.pattern)` (F1 \(String(format: "%.2f", first.f1)))"
    } else if fitActive == 0 {
      sentence = "never \(direction) (at half its extreme) in the fit part of the text"
    } else {
      sentence = "no pattern of up to \(maxLength) preceding characters predicts when it is \(direction)"
    }
    return CellDescription(
      direction: direction, threshold: threshold, fitPositions: fitCount, heldOutPositions: n - fitCount,
      heldOutActive: heldActive, patterns: patterns, sentence: sentence)
  }

  /// Whether `a` is a suffix of `b` (equal counts as a suffix).
  static func isSuffix(_ a: [UInt32], of b: [UInt32]) -> Bool {
    a.count <= b.count && b.suffix(a.count).elementsEqual(a)
  }

  /// The display form of a pattern: `\n`, `\t`, `\r`, `\\`, `␣` for a space, `\u{XX}` for other
  /// control characters and for values that are not Unicode scalars; everything else as itself.
  public static func display(_ symbols: [UInt32]) -> String {
    var out = ""
    for s in symbols {
      switch s {
      case 0x0A: out += "\\n"
      case 0x09: out += "\\t"
      case 0x0D: out += "\\r"
      case 0x5C: out += "\\\\"
      case 0x20: out += "␣"
      default:
        if let u = Unicode.Scalar(s), s >= 0x20, s != 0x7F, !(0x80..<0xA0).contains(s) {
          out.unicodeScalars.append(u)
        } else {
          out += "\\u{" + String(s, radix: 16, uppercase: true) + "}"
        }
      }
    }
    return out
  }
}
