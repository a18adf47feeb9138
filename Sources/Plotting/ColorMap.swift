/// A map from numbers to colours, shared by the plots and the HTML text colouring.
///
/// A map is a list of colour stops over a domain; values between stops are
/// interpolated linearly per sRGB channel and rounded to the nearest 8-bit
/// value. Values outside the domain are clamped to its ends; NaN maps to the
/// map's `neutral` value (the midpoint for ``diverging``, the low end for
/// ``sequential``), so a missing value never paints a strong colour.
///
/// The two built-in maps are ColorBrewer schemes (Cynthia Brewer, colorbrewer2.org),
/// both marked colour-blind safe there, with stops spaced evenly:
///
/// - ``diverging``: 9-class **RdBu**, reversed so that -1 is blue and +1 is red,
///   through light grey `#f7f7f7` at 0. Its two arms have matching lightness at
///   equal distances from 0, so +0.5 and -0.5 look equally strong.
/// - ``sequential``: 9-class **YlGnBu**, from pale yellow `#ffffd9` at 0 to dark
///   navy `#081d58` at 1, monotonic in lightness (it reads in greyscale too).
///
/// Both end in dark colours: use ``textColor(_:)`` for text drawn on them.
public struct ColorMap: Equatable, Sendable {
  /// A colour at a position of the domain.
  public struct Stop: Equatable, Sendable {
    /// Position in the domain (finite).
    public var value: Double
    /// Colour at that position.
    public var color: RGBColor
    /// A stop of `color` at `value`.
    public init(_ value: Double, _ color: RGBColor) {
      self.value = value
      self.color = color
    }
  }

  /// A short name for documentation and CSS ("RdBu", "YlGnBu").
  public let name: String
  /// Stops in increasing order of value; the first and last bound the domain.
  public let stops: [Stop]
  /// The value NaN is treated as.
  public let neutral: Double

  /// A map through `stops` (at least one, in increasing order of value, all finite).
  public init(name: String, stops: [Stop], neutral: Double? = nil) {
    precondition(!stops.isEmpty, "a colour map needs at least one stop")
    precondition(stops.allSatisfy { $0.value.isFinite }, "colour stops must be finite")
    precondition(zip(stops, stops.dropFirst()).allSatisfy { $0.value < $1.value }, "stops must increase")
    self.name = name
    self.stops = stops
    let mid = (stops[0].value + stops[stops.count - 1].value) / 2
    self.neutral = neutral.map { min(max($0, stops[0].value), stops[stops.count - 1].value) } ?? mid
  }

  /// A map with `colors` spaced evenly over `domain`.
  public init(name: String, domain: ClosedRange<Double>, colors: [RGBColor], neutral: Double? = nil) {
    precondition(!colors.isEmpty, "a colour map needs at least one colour")
    let n = colors.count
    let stops = colors.enumerated().map { i, c in
      Stop(
        n == 1
          ? domain.lowerBound
          : domain.lowerBound + (domain.upperBound - domain.lowerBound) * Double(i) / Double(n - 1), c)
    }
    self.init(name: name, stops: stops, neutral: neutral)
  }

  /// The interval the map spans: the first stop's value through the last's.
  public var domain: ClosedRange<Double> { stops[0].value...stops[stops.count - 1].value }

  /// Diverging map for [-1, 1]: ColorBrewer RdBu (9 classes), blue for negative, red for positive.
  public static let diverging = ColorMap(
    name: "RdBu", domain: -1...1,
    colors: [0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7, 0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B].map(
      RGBColor.init(hex:)),
    neutral: 0)

  /// Sequential map for [0, 1]: ColorBrewer YlGnBu (9 classes), pale at 0, dark at 1.
  public static let sequential = ColorMap(
    name: "YlGnBu", domain: 0...1,
    colors: [0xFFFFD9, 0xEDF8B1, 0xC7E9B4, 0x7FCDBB, 0x41B6C4, 0x1D91C0, 0x225EA8, 0x253494, 0x081D58].map(
      RGBColor.init(hex:)),
    neutral: 0)

  /// `v` clamped to the domain, with NaN replaced by `neutral`.
  public func clamp(_ v: Double) -> Double {
    if v.isNaN { return neutral }
    return min(max(v, domain.lowerBound), domain.upperBound)
  }

  /// The colour for `v`.
  public func color(_ v: Double) -> RGBColor {
    let v = clamp(v)
    guard let upper = stops.firstIndex(where: { $0.value >= v }), upper > 0 else { return stops[0].color }
    let a = stops[upper - 1]
    let b = stops[upper]
    return a.color.mixed(with: b.color, (v - a.value) / (b.value - a.value))
  }

  /// The colour for `v` as 8-bit (red, green, blue).
  public func rgb(_ v: Double) -> (UInt8, UInt8, UInt8) {
    let c = color(v)
    return (c.r, c.g, c.b)
  }

  /// The colour for `v` as `"#rrggbb"`.
  public func hex(_ v: Double) -> String { color(v).hex }

  /// Black or white, whichever is more legible as text on `color(v)`.
  public func textColor(_ v: Double) -> RGBColor { color(v).contrastingText }

  /// The index, in `0..<levels`, of the equal-width band of the domain that holds `v`
  /// (clamped; NaN gives the neutral value's band). With an odd number of levels a
  /// symmetric domain's midpoint falls in the middle band. `levels` must be positive.
  public func quantize(_ v: Double, levels: Int) -> Int {
    ColorMap.quantize(clamp(v), levels: levels, in: domain)
  }

  /// The value at the centre of band `level` of `levels`: what ``quantize(_:levels:)``
  /// maps to that band, e.g. for a CSS class per band.
  public func value(level: Int, levels: Int) -> Double {
    precondition(levels > 0, "levels must be positive")
    let level = min(max(level, 0), levels - 1)
    let lo = domain.lowerBound
    return lo + (domain.upperBound - lo) * (Double(level) + 0.5) / Double(levels)
  }

  /// One `"#rrggbb"` per band, for a palette of `levels` CSS classes.
  public func hexRamp(levels: Int) -> [String] {
    (0..<levels).map { hex(value(level: $0, levels: levels)) }
  }

  /// The index, in `0..<levels`, of the equal-width band of `domain` that holds `v`.
  /// Out-of-range values go to the end bands; NaN goes to the middle band.
  public static func quantize(_ v: Double, levels: Int, in domain: ClosedRange<Double> = -1...1) -> Int {
    precondition(levels > 0, "levels must be positive")
    if v.isNaN { return levels / 2 }
    let width = domain.upperBound - domain.lowerBound
    guard width > 0 else { return levels / 2 }
    let t = (v - domain.lowerBound) / width
    let band = (t * Double(levels)).rounded(.down)
    return Int(min(max(band, 0), Double(levels - 1)))
  }
}
