import Foundation

/// A histogram rendered to PNG, from ready-made bins or from raw values.
///
/// Used for a cell's activation distribution over [-1, 1]: bars can be filled
/// with one colour or coloured by a ``ColorMap`` at each bin's centre, so that
/// the plot uses the same colours as the text shading. The count axis can be
/// logarithmic, which shows the thin tails of saturating cells.
///
/// (Named `HistogramPlot` rather than `Histogram` so that it cannot clash with a
/// statistics type of the same name in the analysis modules.)
public struct HistogramPlot: Sendable {
  /// One bar: values in `lower..<upper` (the last bin also holds its upper edge).
  public struct Bin: Equatable, Sendable {
    /// Lower edge in data coordinates.
    public var lower: Double
    /// Upper edge in data coordinates (above `lower`).
    public var upper: Double
    /// Values in the bin (0 or more).
    public var count: Int
    public init(lower: Double, upper: Double, count: Int) {
      self.lower = lower
      self.upper = upper
      self.count = count
    }
  }

  /// How bars are filled.
  public enum Fill: Equatable, Sendable {
    case solid(RGBColor)
    /// Each bar takes the map's colour at its centre.
    case colorMap(ColorMap)
  }

  /// Figure title, drawn above the plot.
  public var title: String
  /// Caption of the value axis.
  public var xLabel: String
  /// Caption of the count axis.
  public var yLabel: String
  /// The bars, in any order; bins with a non-finite edge or `upper <= lower` are
  /// skipped, and no bins gives an empty frame with axes.
  public var bins: [Bin]
  /// Count axis in powers of ten (empty bins show no bar; a count of 1 still shows).
  public var logCount: Bool
  /// How the bars are coloured.
  public var fill: Fill
  /// Width of the image in pixels (at least 1, at most `PNGImage.maxSide`; otherwise `png()` throws).
  public var width: Int
  /// Height of the image in pixels (same limits as `width`).
  public var height: Int

  public init(
    title: String, xLabel: String, yLabel: String = "count", bins: [Bin], logCount: Bool = false,
    fill: Fill = .solid(Palette.series(0)), width: Int = 880, height: Int = 360
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.bins = bins
    self.logCount = logCount
    self.fill = fill
    self.width = width
    self.height = height
  }

  /// A histogram of `values` in `binCount` equal bins over `range` (default: the
  /// finite values' min...max). See ``bin(_:count:range:)`` for the rules.
  public init(
    title: String, xLabel: String, yLabel: String = "count", values: [Double], binCount: Int,
    range: ClosedRange<Double>? = nil, logCount: Bool = false, fill: Fill = .solid(Palette.series(0)),
    width: Int = 880, height: Int = 360
  ) {
    self.init(
      title: title, xLabel: xLabel, yLabel: yLabel,
      bins: HistogramPlot.bin(values, count: binCount, range: range), logCount: logCount, fill: fill,
      width: width, height: height)
  }

  /// Bins for `counts` already tallied in equal-width bins over `range` (as the
  /// analysis stores a cell's histogram over [-1, 1]).
  public static func bins(counts: [Int], over range: ClosedRange<Double> = -1...1) -> [Bin] {
    let width = (range.upperBound - range.lowerBound) / Double(max(1, counts.count))
    return counts.enumerated().map { i, c in
      Bin(
        lower: range.lowerBound + width * Double(i),
        upper: i == counts.count - 1 ? range.upperBound : range.lowerBound + width * Double(i + 1), count: c)
    }
  }

  /// Counts `values` in `count` (at least 1) equal-width bins over `range`.
  ///
  /// As NumPy's `histogram`: bins are half-open except the last, which includes
  /// its upper edge; values outside the range and NaN are not counted. Without a
  /// range the finite values' min...max is used (0...1 if there are none, v±0.5
  /// if they are all equal to v).
  public static func bin(_ values: [Double], count: Int, range: ClosedRange<Double>? = nil) -> [Bin] {
    let count = max(1, count)
    var lo: Double
    var hi: Double
    if let range, range.lowerBound.isFinite, range.upperBound.isFinite {
      (lo, hi) = (range.lowerBound, range.upperBound)
    } else {
      let finite = values.filter(\.isFinite)
      (lo, hi) = (finite.min() ?? 0, finite.max() ?? 1)
    }
    if hi <= lo {
      lo -= 0.5
      hi += 0.5
    }
    let width = (hi - lo) / Double(count)
    var counts = [Int](repeating: 0, count: count)
    for v in values where v.isFinite && v >= lo && v <= hi {
      let i = min(count - 1, Int(((v - lo) / width).rounded(.down)))
      counts[max(0, i)] += 1
    }
    return (0..<count).map { i in
      Bin(
        lower: lo + width * Double(i), upper: i == count - 1 ? hi : lo + width * Double(i + 1),
        count: counts[i])
    }
  }

  /// The plot as PNG bytes, `width` x `height` pixels.
  public func png() throws -> [UInt8] {
    let canvas = try Canvas(width: width, height: height)
    draw(on: canvas)
    return try canvas.pngData()
  }

  private func draw(on canvas: Canvas) {
    let rest = FigureHeader.draw(
      on: canvas,
      in: canvas.bounds.inset(
        left: PlotStyle.margin, top: PlotStyle.margin, right: PlotStyle.margin, bottom: PlotStyle.margin),
      title: title, legend: [])
    let valid = bins.filter { $0.lower.isFinite && $0.upper.isFinite && $0.upper > $0.lower }
    let maxCount = valid.map(\.count).max() ?? 0
    let yLabelShown = logCount && !yLabel.isEmpty ? "\(yLabel) (log scale)" : yLabel

    let area = PlotArea.layout(
      canvas: canvas, in: rest, xLabel: xLabel, yLabel: yLabelShown,
      xAxis: { n in
        Axis.linear(covering: valid.flatMap { [$0.lower, $0.upper] }, maxTicks: n, loose: false)
      },
      yAxis: { n in
        logCount
          ? Axis.logCount(maxCount: maxCount, maxTicks: n)
          : Axis.linear(lower: 0, upper: Double(max(1, maxCount)), maxTicks: n, loose: true)
      })

    area.drawGrid(on: canvas, vertical: false)
    let base = area.py(area.y.lower)
    canvas.clipped(to: area.plot) {
      for bin in valid where bin.count > 0 {
        let top = area.py(logCount ? log10(Double(bin.count)) : Double(bin.count))
        let x0 = area.px(bin.lower)
        let x1 = area.px(bin.upper)
        // A hairline gap between neighbouring bars when they are wide enough.
        let gap = x1 - x0 >= 4 ? 0.5 : 0
        let rect = Rect(x: x0 + gap, y: top, width: max(0.5, x1 - x0 - 2 * gap), height: base - top)
        switch fill {
        case .solid(let color):
          canvas.fillRect(rect, color: color)
        case .colorMap(let map):
          let color = map.color((bin.lower + bin.upper) / 2)
          canvas.fillRect(rect, color: color)
          // Pale colours near a diverging map's midpoint need an edge to show on white.
          if color.relativeLuminance > 0.6 {
            canvas.strokeRect(
              rect.inset(left: 0.5, top: 0.5, right: 0.5), color: Palette.guide, width: 1, alpha: 0.6)
          }
        }
      }
    }
    area.drawAxes(on: canvas)
    if valid.allSatisfy({ $0.count == 0 }) { area.drawNote("no data", on: canvas) }
  }
}
