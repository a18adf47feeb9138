import Interpretability

/// `explorer.html` and its data file `explorer-data.js`.
///
/// The page is a shell; `assets/explorer.js` draws the excerpt coloured by any
/// cell (chosen with the select box, the keys j/k or arrows, or the location
/// hash, e.g. `explorer.html#l0-c-5`) and, when text is selected, lists the
/// cells that are on inside the selection and off around it (LSTMVis's pattern
/// search). The data is a script that assigns one global, so it loads from
/// `file://`, where `fetch` is not allowed:
///
/// ```
/// window.CELLSCOPE_EXPLORER = {"length": n, "levels": 64, "text": "…",
///   "cells": [{"id": "l0-c-0", "label": "L0 c 0", "rank": 7, "role": "…", "page": "cells/l0-c-0.html"}, …],
///   "values": "…"};
/// ```
///
/// `text` holds exactly one code point per position (newline as "\n", tab as
/// "\t", invisible characters as their visible stand-ins). `values` holds, for
/// each cell in `cells` order, `length` base64 digits: the value v in [-1, 1]
/// quantised to 64 levels, digit d ↔ v ≈ (d + 0.5) / 32 - 1.
struct ExplorerPage {
  let cellCount: String
  let lengthNote: String
  let firstHref: String

  /// The most values (cells × characters) the data file holds, so it stays a few MB at most.
  static let valueBudget = 3_000_000
  /// The explorer always shows at least this many characters (when the excerpt has them).
  static let minimumLength = 500

  /// Characters of the excerpt the explorer shows for `cells` cells.
  static func length(excerpt: Int, cells: Int) -> Int {
    min(excerpt, max(min(excerpt, minimumLength), valueBudget / max(1, cells)))
  }

  init(_ site: SiteData) {
    let a = site.analysis
    let n = ExplorerPage.length(excerpt: site.excerptUnits.count, cells: a.cellOrder.count)
    cellCount = NumberFormat.integer(a.cellOrder.count)
    let total = site.excerptUnits.count
    lengthNote =
      n < total
      ? "the first \(NumberFormat.integer(n)) of the excerpt's \(NumberFormat.integer(total)) characters"
      : "all \(NumberFormat.integer(total)) characters of the excerpt"
    firstHref = site.ranked.first.map { SiteMap.explorer(showing: $0.id) } ?? SiteMap.Section.explorer.path
  }

  /// The contents of `explorer-data.js` (ASCII, markup-safe; see ``ScriptData``).
  static func dataScript(_ site: SiteData) -> String {
    let a = site.analysis
    let n = length(excerpt: site.excerptUnits.count, cells: a.cellOrder.count)
    let text = site.excerptUnits.prefix(n).map { u -> String in
      if u.text == "\n" { return "\n" }
      if u.glyph == "⇥" { return "\t" }
      return u.glyph.isEmpty ? u.text : u.glyph
    }.joined()
    var cells: [String] = []
    var values = ""
    values.reserveCapacity(n * a.cellOrder.count)
    for (row, id) in a.cellOrder.enumerated() {
      let c = site.cellByID[id]
      let page = site.pagedIDs.contains(id) ? SiteMap.cellPage(id) : ""
      cells.append(
        "{\"id\":\(ScriptData.string(id.slug)),\"label\":\(ScriptData.string(id.description)),\"rank\":\(c?.rank ?? 0),"
          + "\"role\":\(ScriptData.string(c?.role ?? "")),\"page\":\(ScriptData.string(page))}")
      var digits = [UInt8](repeating: 32, count: n)
      if row < a.excerpt.cellValues.count {
        for (i, q) in a.excerpt.cellValues[row].prefix(n).enumerated() { digits[i] = q >> 2 }
      }
      values += ScriptData.base64Digits(digits)
    }
    return
      "window.CELLSCOPE_EXPLORER = {\n\"length\": \(n),\n\"levels\": 64,\n\"text\": \(ScriptData.string(text)),\n"
      + "\"cells\": [\n" + cells.joined(separator: ",\n") + "\n],\n\"values\": \"" + values + "\"\n};\n"
  }
}

/// Writing data into JavaScript files safely.
///
/// Corpus text inside a script must never end the script or open markup, even
/// when the file is pasted into a page: every string is a JSON string literal
/// with `<`, `>`, `&`, U+2028, U+2029 and every other non-ASCII or control
/// character written as `\uXXXX` (UTF-16, surrogate pairs for astral
/// characters). The files are therefore pure ASCII, so their encoding cannot
/// be misread either, and `</script>` cannot appear in them.
enum ScriptData {
  /// `s` as a double-quoted JSON string literal, ASCII only, markup-safe.
  static func string(_ s: String) -> String {
    var out = "\""
    out.reserveCapacity(s.utf8.count + 2)
    for unit in s.utf16 {
      switch unit {
      case 0x22: out += "\\\""
      case 0x5C: out += "\\\\"
      case 0x0A: out += "\\n"
      case 0x0D: out += "\\r"
      case 0x09: out += "\\t"
      case 0x20..<0x7F where unit != 0x3C && unit != 0x3E && unit != 0x26:
        out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
      default:
        out += "\\u" + hex4(unit)
      }
    }
    return out + "\""
  }

  /// A JSON array of strings.
  static func strings(_ items: [String]) -> String {
    "[" + items.map(string).joined(separator: ",") + "]"
  }

  /// The 64 digits of base64 (RFC 4648), in value order.
  static let base64Digits: [Character] = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

  /// Values in 0...63 written one base64 digit each (a 6-bit quantisation needs
  /// no packing: one character per value, decoded with a 128-entry lookup table).
  static func base64Digits(_ values: [UInt8]) -> String {
    var out = ""
    out.reserveCapacity(values.count)
    for v in values { out.append(base64Digits[Int(v & 63)]) }
    return out
  }

  private static func hex4(_ unit: UInt16) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    var s = ""
    for shift in stride(from: 12, through: 0, by: -4) { s.append(digits[Int((unit >> UInt16(shift)) & 0xF)]) }
    return s
  }
}
