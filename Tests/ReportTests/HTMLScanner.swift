import Foundation

/// A small HTML tag scanner for the tests: finds start tags and their attributes
/// (quoted, unquoted or bare), skipping comments and the bodies of `<script>`
/// elements. Entities in attribute values are decoded for `&amp;`, `&quot;`,
/// `&#39;`, `&lt;` and `&gt;` only, which is all the pages use.
enum HTMLScanner {
  struct Tag: Equatable {
    var name: String
    var attributes: [String: String]
  }

  static func tags(_ html: String) -> [Tag] {
    let s = Array(html.unicodeScalars)
    var tags: [Tag] = []
    var i = 0
    func isNameChar(_ c: Unicode.Scalar) -> Bool {
      c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" || c == ":" || c == "_"
    }
    func isSpace(_ c: Unicode.Scalar) -> Bool {
      c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\u{0C}"
    }
    while i < s.count {
      guard s[i] == "<" else {
        i += 1
        continue
      }
      if i + 3 < s.count, s[i + 1] == "!", s[i + 2] == "-", s[i + 3] == "-" {
        i += 4
        while i + 2 < s.count, !(s[i] == "-" && s[i + 1] == "-" && s[i + 2] == ">") { i += 1 }
        i += 3
        continue
      }
      var j = i + 1
      guard j < s.count, s[j].properties.isAlphabetic else {
        i += 1
        continue
      }
      var name = ""
      while j < s.count, isNameChar(s[j]) {
        name.unicodeScalars.append(s[j])
        j += 1
      }
      var attributes: [String: String] = [:]
      while j < s.count, s[j] != ">" {
        if isSpace(s[j]) || s[j] == "/" {
          j += 1
          continue
        }
        var key = ""
        while j < s.count, !isSpace(s[j]), s[j] != "=", s[j] != ">", s[j] != "/" {
          key.unicodeScalars.append(s[j])
          j += 1
        }
        var value = ""
        if j < s.count, s[j] == "=" {
          j += 1
          if j < s.count, s[j] == "\"" || s[j] == "'" {
            let quote = s[j]
            j += 1
            while j < s.count, s[j] != quote {
              value.unicodeScalars.append(s[j])
              j += 1
            }
            j += 1
          } else {
            while j < s.count, !isSpace(s[j]), s[j] != ">" {
              value.unicodeScalars.append(s[j])
              j += 1
            }
          }
        }
        if !key.isEmpty { attributes[key.lowercased()] = decode(value) }
      }
      let lower = name.lowercased()
      tags.append(Tag(name: lower, attributes: attributes))
      i = j + 1
      if lower == "script" {
        // Skip the script's body to its end tag.
        while i + 8 < s.count {
          if s[i] == "<", s[i + 1] == "/",
            String(String.UnicodeScalarView(s[(i + 2)..<(i + 8)])).lowercased() == "script"
          {
            break
          }
          i += 1
        }
      }
    }
    return tags
  }

  private static func decode(_ value: String) -> String {
    value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
      .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&amp;", with: "&")
  }
}
