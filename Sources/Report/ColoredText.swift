import CharLSTM
import Mustache
import Plotting

/// How one position of a text is shown: an optional faint glyph (for a newline,
/// tab or invisible character) followed by literal text.
struct DisplayUnit: Equatable {
  /// A visible stand-in drawn faint ("↵", "⇥", "␀"…), or "" for none.
  var glyph: String
  /// The literal text: the character itself, "\n" after the "↵" glyph, or "".
  var text: String

  /// The unit as one visible string (for guesses and the explorer's data):
  /// the glyph if there is one, else the text, with a space shown as "␣".
  var visible: String {
    if !glyph.isEmpty { return glyph }
    return text == " " ? "␣" : text
  }
}

/// Turns model symbols (Unicode scalars or bytes) into displayable units, one per position.
enum SymbolDisplay {
  /// One unit per symbol. With `lineBreaks` a newline ends the line after its "↵"
  /// glyph; without, it is the glyph alone (for one-line snippets).
  static func units(_ symbols: [UInt32], kind: Vocabulary.Kind, lineBreaks: Bool = true) -> [DisplayUnit] {
    switch kind {
    case .unicode:
      return symbols.map { unit(scalar: $0, lineBreaks: lineBreaks) }
    case .bytes:
      return byteUnits(symbols, lineBreaks: lineBreaks)
    }
  }

  /// `kind` from an analysis' `vocabularyKind` string ("unicode" unless it says "bytes").
  static func kind(_ name: String) -> Vocabulary.Kind { Vocabulary.Kind(rawValue: name) ?? .unicode }

  static func unit(scalar value: UInt32, lineBreaks: Bool) -> DisplayUnit {
    switch value {
    case 0x0A, 0x2028, 0x2029, 0x85: return DisplayUnit(glyph: "↵", text: lineBreaks ? "\n" : "")
    case 0x09: return DisplayUnit(glyph: "⇥", text: "")
    case 0x20: return DisplayUnit(glyph: "", text: " ")
    case 0x00..<0x20: return DisplayUnit(glyph: String(Unicode.Scalar(0x2400 + value)!), text: "")
    case 0x7F: return DisplayUnit(glyph: "␡", text: "")
    default:
      guard let s = Unicode.Scalar(value) else { return DisplayUnit(glyph: "�", text: "") }
      switch s.properties.generalCategory {
      case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
        return DisplayUnit(glyph: "·", text: "")
      case .spaceSeparator:
        return DisplayUnit(glyph: "", text: " ")
      default:
        return DisplayUnit(glyph: "", text: String(Character(s)))
      }
    }
  }

  /// Bytes: ASCII as characters; a valid UTF-8 sequence shows its character at the
  /// lead byte and a faint "·" at each continuation byte; stray bytes show "�".
  private static func byteUnits(_ bytes: [UInt32], lineBreaks: Bool) -> [DisplayUnit] {
    var out: [DisplayUnit] = []
    out.reserveCapacity(bytes.count)
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      if b < 0x80 {
        out.append(unit(scalar: b, lineBreaks: lineBreaks))
        i += 1
        continue
      }
      let length = b >= 0xF0 && b < 0xF5 ? 4 : (b >= 0xE0 ? (b < 0xF0 ? 3 : 0) : (b >= 0xC2 ? 2 : 0))
      if length > 0, i + length <= bytes.count,
        bytes[(i + 1)..<(i + length)].allSatisfy({ $0 & 0xC0 == 0x80 }),
        let s = String(validating: bytes[i..<(i + length)].map { UInt8($0) }, as: UTF8.self),
        let scalar = s.unicodeScalars.first
      {
        out.append(unit(scalar: scalar.value, lineBreaks: lineBreaks))
        out.append(contentsOf: repeatElement(DisplayUnit(glyph: "·", text: ""), count: length - 1))
        i += length
      } else {
        out.append(DisplayUnit(glyph: "�", text: ""))
        i += 1
      }
    }
    return out
  }
}

/// A piece of a run: an optional faint glyph, then literal text.
struct TextPart: MustacheParent {
  var glyph: String
  var text: String
  func child(named name: String) -> Any? {
    switch name {
    case "hasGlyph": return !glyph.isEmpty
    case "glyph": return glyph
    case "text": return text
    default: return nil
    }
  }
}

/// Consecutive characters of one colour class, drawn as one `<span>` by the `ctext` partial.
struct TextRun: MustacheParent {
  var cls: String
  var parts: [TextPart]
  func child(named name: String) -> Any? {
    switch name {
    case "cls": return cls
    case "parts": return parts
    default: return nil
    }
  }
}

/// Builds colour-coded text: one class per position, equal neighbours merged.
enum ColoredText {
  /// Runs for `units` coloured by `classes` (same length). The character at `focus`,
  /// if any, becomes a run of its own with the extra class `fx` (drawn boxed); a
  /// space there is shown as "␣" so the box has something in it.
  static func runs(_ units: [DisplayUnit], classes: [String], focus: Int? = nil) -> [TextRun] {
    precondition(units.count == classes.count, "one class per unit")
    var runs: [TextRun] = []
    var current: TextRun?
    for (i, unit) in units.enumerated() {
      var unit = unit
      var cls = classes[i]
      let isFocus = i == focus
      if isFocus {
        cls += " fx"
        if unit.glyph.isEmpty && unit.text == " " { unit = DisplayUnit(glyph: "␣", text: "") }
      }
      if var run = current, run.cls == cls, !isFocus {
        if unit.glyph.isEmpty, !run.parts.isEmpty {
          run.parts[run.parts.count - 1].text += unit.text
        } else {
          run.parts.append(TextPart(glyph: unit.glyph, text: unit.text))
        }
        current = run
      } else {
        if let run = current { runs.append(run) }
        current = TextRun(cls: cls, parts: [TextPart(glyph: unit.glyph, text: unit.text)])
      }
      if isFocus {
        runs.append(current!)
        current = nil
      }
    }
    if let run = current { runs.append(run) }
    return runs
  }

  /// Runs for cell values in [-1, 1] on the diverging map.
  static func cellRuns(_ units: [DisplayUnit], values: [Float], focus: Int? = nil) -> [TextRun] {
    runs(
      units, classes: values.map { ColorClasses.divergingClass(ColorClasses.diverging(Double($0))) },
      focus: focus)
  }

  /// Runs for excerpt values quantised to 0...255, on the diverging map.
  static func cellRuns(_ units: [DisplayUnit], quantized: ArraySlice<UInt8>) -> [TextRun] {
    runs(units, classes: quantized.map { ColorClasses.divergingClass(ColorClasses.diverging(quantized: $0)) })
  }

  /// Runs for values in [0, 1] on the sequential map.
  static func sequentialRuns(_ units: [DisplayUnit], values: [Double]) -> [TextRun] {
    runs(units, classes: values.map { ColorClasses.sequentialClass(ColorClasses.sequential($0)) })
  }
}

/// The CSS classes that colour text, and the legends that explain them.
///
/// Values are quantised to ``levels`` equal bands and each band is one short
/// class defined once in `style.css`: `.v0` … `.v20` for the diverging map over
/// [-1, 1] (cell values: tanh(c) or h; blue negative, red positive) and `.s0` …
/// `.s20` for the sequential map over [0, 1] (probabilities, surprisal, feature
/// values). ``css`` is the exact block `style.css` must contain; a test keeps the
/// two in step with ``ColorMap``.
enum ColorClasses {
  /// Bands per map; odd, so that 0 on the diverging map has a band of its own.
  static let levels = 21

  /// The diverging band of a cell value in [-1, 1].
  static func diverging(_ v: Double) -> Int { ColorMap.diverging.quantize(v, levels: levels) }

  /// The sequential band of a value in [0, 1].
  static func sequential(_ v: Double) -> Int { ColorMap.sequential.quantize(v, levels: levels) }

  /// The diverging band of an excerpt value stored as 0...255 (v ≈ q / 127.5 - 1).
  static func diverging(quantized q: UInt8) -> Int { diverging(Double(q) / 127.5 - 1) }

  /// The class name of a diverging band.
  static func divergingClass(_ level: Int) -> String { "v\(level)" }

  /// The class name of a sequential band.
  static func sequentialClass(_ level: Int) -> String { "s\(level)" }

  /// The colour rules for every band of both maps, as they appear in `style.css`.
  static var css: String {
    var lines = [
      "/* Text colour classes, generated from ColorMap (ColorClasses.css): do not edit by hand. */"
    ]
    for (prefix, map) in [("v", ColorMap.diverging), ("s", ColorMap.sequential)] {
      for level in 0..<levels {
        let v = map.value(level: level, levels: levels)
        let fg = map.textColor(v) == .white ? ";color:#fff" : ""
        lines.append(".\(prefix)\(level){background:\(map.hex(v))\(fg)}")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// One row of swatches with its end labels and a caption, drawn by the `legend` partial.
struct Legend {
  let caption: String
  let low: String
  let high: String
  let swatches: [String]

  /// Cell values: tanh(c) for cell states, h for hidden states.
  static let cells = Legend(
    caption: "cell value, tanh(c) or h: blue negative, white near zero, red positive",
    low: "−1", high: "+1", swatches: (0..<ColorClasses.levels).map(ColorClasses.divergingClass))

  /// Probabilities of the model's guesses.
  static let probability = Legend(
    caption: "probability of a guess; the boxed guess is the character that came next",
    low: "0", high: "1", swatches: (0..<ColorClasses.levels).map(ColorClasses.sequentialClass))

  /// Surprisal of each character, in bits, up to ``PredictionsPage/surprisalCeiling``.
  static let surprisal = Legend(
    caption: "surprisal of each character (−log₂ of the probability the model gave it), in bits",
    low: "0", high: "≥ 8", swatches: (0..<ColorClasses.levels).map(ColorClasses.sequentialClass))

  /// A feature's value, scaled to its maximum on the excerpt.
  static func feature(max: String) -> Legend {
    Legend(
      caption: "feature value: pale off, dark on (graded features scaled to their largest value)",
      low: "0", high: max, swatches: (0..<ColorClasses.levels).map(ColorClasses.sequentialClass))
  }
}
