import Foundation

/// An opaque sRGB colour with 8-bit channels.
public struct RGBColor: Hashable, Sendable, CustomStringConvertible {
  /// Red, 0...255.
  public var r: UInt8
  /// Green, 0...255.
  public var g: UInt8
  /// Blue, 0...255.
  public var b: UInt8

  /// A colour from its three 8-bit channels.
  public init(r: UInt8, g: UInt8, b: UInt8) {
    self.r = r
    self.g = g
    self.b = b
  }

  /// A colour from a 24-bit `0xRRGGBB` literal.
  public init(hex: UInt32) {
    r = UInt8((hex >> 16) & 0xFF)
    g = UInt8((hex >> 8) & 0xFF)
    b = UInt8(hex & 0xFF)
  }

  /// `"#rrggbb"`, lower case, as used in HTML and CSS.
  public var hex: String {
    let digits: [Character] = Array("0123456789abcdef")
    var s = "#"
    for c in [r, g, b] {
      s.append(digits[Int(c >> 4)])
      s.append(digits[Int(c & 0x0F)])
    }
    return s
  }

  /// The `"#rrggbb"` form.
  public var description: String { hex }

  /// This colour moved a fraction `t` (0...1) of the way towards `other`, per channel in sRGB.
  public func mixed(with other: RGBColor, _ t: Double) -> RGBColor {
    let t = t.isNaN ? 0 : min(max(t, 0), 1)
    func mix(_ a: UInt8, _ b: UInt8) -> UInt8 {
      UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded())
    }
    return RGBColor(r: mix(r, other.r), g: mix(g, other.g), b: mix(b, other.b))
  }

  /// WCAG relative luminance in 0...1 (sRGB transfer function undone).
  public var relativeLuminance: Double {
    func linear(_ c: UInt8) -> Double {
      let s = Double(c) / 255
      return s <= 0.040_45 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
  }

  /// Black or white, whichever reads better as text on this colour.
  public var contrastingText: RGBColor {
    // Luminance where black and white text have equal WCAG contrast.
    relativeLuminance > 0.179 ? .black : .white
  }

  /// `#000000`.
  public static let black = RGBColor(hex: 0x000000)
  /// `#ffffff`.
  public static let white = RGBColor(hex: 0xFFFFFF)
}

/// The colours every plot uses, defined once.
///
/// Series colours are the Okabe-Ito palette (Okabe & Ito 2008, "Color
/// Universal Design"), which stays distinguishable under the common forms
/// of colour-vision deficiency. The order puts the highest-contrast colours
/// first; yellow, which is faint on white, comes last.
public enum Palette {
  /// Okabe-Ito blue, vermillion, bluish green, orange, reddish purple, sky blue, black, yellow.
  public static let series: [RGBColor] = [
    RGBColor(hex: 0x0072B2),  // blue
    RGBColor(hex: 0xD55E00),  // vermillion
    RGBColor(hex: 0x009E73),  // bluish green
    RGBColor(hex: 0xE69F00),  // orange
    RGBColor(hex: 0xCC79A7),  // reddish purple
    RGBColor(hex: 0x56B4E9),  // sky blue
    RGBColor(hex: 0x000000),  // black
    RGBColor(hex: 0xF0E442),  // yellow
  ]

  /// The `index`-th series colour, cycling when there are more series than colours.
  public static func series(_ index: Int) -> RGBColor {
    let n = series.count
    return series[((index % n) + n) % n]
  }

  /// Titles, axis labels and tick labels.
  public static let text = RGBColor(hex: 0x222222)
  /// Secondary text: marker labels, notes.
  public static let mutedText = RGBColor(hex: 0x555555)
  /// Axis lines and tick marks.
  public static let axis = RGBColor(hex: 0x444444)
  /// Grid lines behind the data.
  public static let grid = RGBColor(hex: 0xE3E3E3)
  /// Guide lines (diagonals, vertical event markers).
  public static let guide = RGBColor(hex: 0x8A8A8A)
  /// Image background.
  public static let background = RGBColor.white
}
