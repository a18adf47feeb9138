/// A plot of one or more named series of (x, y) points, rendered to PNG.
///
/// Used for the loss curves: training loss per step drawn thin and light,
/// its moving average bold on top, validation loss as markers, and dashed
/// vertical marks where the learning rate changed (see ``lossCurve(training:validation:learningRateChanges:smoothingWindow:width:height:)``).
///
/// Non-finite points are skipped (a line breaks at them). Empty input, a
/// single point or constant values still give a full frame with axes.
public struct LinePlot: Sendable {
  /// How a series is drawn.
  public enum Style: Equatable, Sendable {
    /// A thin, light line, for raw noisy values.
    case raw
    /// A thick opaque line, for smoothed values or the main curve.
    case bold
    /// Markers joined by a thin line, for sparse measurements.
    case markers(MarkerShape)
  }

  /// A named sequence of points.
  public struct Series: Sendable {
    /// The legend text.
    public var name: String
    /// Points in data coordinates, drawn in order; a non-finite x or y breaks the line there.
    /// An empty series draws nothing but keeps its legend entry.
    public var points: [(x: Double, y: Double)]
    /// How the series is drawn.
    public var style: Style
    /// `nil`: the palette colour for the series' position in the plot.
    public var color: RGBColor?
    /// Whether the legend lists the series.
    public var showInLegend: Bool

    public init(
      name: String, points: [(x: Double, y: Double)], style: Style = .bold, color: RGBColor? = nil,
      showInLegend: Bool = true
    ) {
      self.name = name
      self.points = points
      self.style = style
      self.color = color
      self.showInLegend = showInLegend
    }

    /// A series from parallel arrays (the shorter length wins).
    public init(
      name: String, x: [Double], y: [Double], style: Style = .bold, color: RGBColor? = nil,
      showInLegend: Bool = true
    ) {
      self.init(
        name: name, points: zip(x, y).map { (x: $0, y: $1) }, style: style, color: color,
        showInLegend: showInLegend)
    }
  }

  /// A dashed vertical line at `x` with a short label above the plot.
  public struct Mark: Equatable, Sendable {
    /// Position of the mark in data coordinates; marks outside the x range are not drawn.
    public var x: Double
    /// Short text above the plot area; empty: no label.
    public var label: String
    public init(x: Double, label: String) {
      self.x = x
      self.label = label
    }
  }

  /// Figure title, drawn above the plot.
  public var title: String
  /// Caption of the x axis.
  public var xLabel: String
  /// Caption of the y axis.
  public var yLabel: String
  /// The series, drawn raw first, then bold, then markers; colours by position unless set.
  public var series: [Series]
  /// Dashed vertical marks with labels.
  public var marks: [Mark]
  /// Fixed x range; `nil`: exactly the data's range.
  public var xDomain: ClosedRange<Double>?
  /// Fixed y range; `nil`: the data's range widened to the nearest ticks.
  public var yDomain: ClosedRange<Double>?
  /// Width of the image in pixels (at least 1, at most `PNGImage.maxSide`; otherwise `png()` throws).
  public var width: Int
  /// Height of the image in pixels (same limits as `width`).
  public var height: Int

  public init(
    title: String, xLabel: String, yLabel: String, series: [Series], marks: [Mark] = [],
    xDomain: ClosedRange<Double>? = nil, yDomain: ClosedRange<Double>? = nil,
    width: Int = 880, height: Int = 360
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.marks = marks
    self.xDomain = xDomain
    self.yDomain = yDomain
    self.width = width
    self.height = height
  }

  /// The standard loss figure: raw training loss (light), its moving average over
  /// `smoothingWindow` points (bold, same colour), validation loss (markers) and
  /// learning-rate changes (marks). Losses are in nats.
  public static func lossCurve(
    training: [(x: Double, y: Double)], validation: [(x: Double, y: Double)],
    learningRateChanges: [Mark] = [], smoothingWindow: Int = 50, width: Int = 880, height: Int = 360
  ) -> LinePlot {
    let trainColor = Palette.series(0)
    var series = [
      Series(name: "training (per step)", points: training, style: .raw, color: trainColor)
    ]
    if smoothingWindow > 1 && training.count > 1 {
      series.append(
        Series(
          name: "training (mean of \(smoothingWindow))",
          points: movingAverage(training, window: smoothingWindow), style: .bold, color: trainColor))
    }
    series.append(
      Series(name: "validation", points: validation, style: .markers(.circle), color: Palette.series(1)))
    return LinePlot(
      title: "Loss", xLabel: "training step", yLabel: "cross-entropy (nats/char)", series: series,
      marks: learningRateChanges, width: width, height: height)
  }

  /// Moving average of the y values over a window of `window` points, centred on
  /// each point (`centered`, no lag: best for plots) or ending at it (trailing, as
  /// a training log computes it). Windows are cut short at the ends. Non-finite y
  /// values are left out of the averages and stay non-finite, so lines break there.
  public static func movingAverage(
    _ points: [(x: Double, y: Double)], window: Int, centered: Bool = true
  ) -> [(x: Double, y: Double)] {
    let window = max(1, window)
    // Prefix sums of the finite values and of how many there are.
    var sums = [0.0]
    var counts = [0]
    sums.reserveCapacity(points.count + 1)
    counts.reserveCapacity(points.count + 1)
    for p in points {
      sums.append(sums[sums.count - 1] + (p.y.isFinite ? p.y : 0))
      counts.append(counts[counts.count - 1] + (p.y.isFinite ? 1 : 0))
    }
    let before = centered ? (window - 1) / 2 : window - 1
    let after = centered ? window - 1 - before : 0
    return points.indices.map { i in
      let lo = max(0, i - before)
      let hi = min(points.count, i + after + 1)
      let n = counts[hi] - counts[lo]
      let y = points[i].y.isFinite && n > 0 ? (sums[hi] - sums[lo]) / Double(n) : Double.nan
      return (x: points[i].x, y: y)
    }
  }

  /// The plot as PNG bytes, `width` x `height` pixels.
  public func png() throws -> [UInt8] {
    let canvas = try Canvas(width: width, height: height)
    draw(on: canvas)
    return try canvas.pngData()
  }

  // MARK: Drawing

  func color(ofSeries index: Int) -> RGBColor { series[index].color ?? Palette.series(index) }

  private func draw(on canvas: Canvas) {
    let legend = series.indices.filter { series[$0].showInLegend && !series[$0].name.isEmpty }.map { i in
      LegendEntry(name: series[i].name, color: color(ofSeries: i), swatch: LinePlot.swatch(series[i].style))
    }
    let rest = FigureHeader.draw(
      on: canvas,
      in: canvas.bounds.inset(
        left: PlotStyle.margin, top: PlotStyle.margin, right: PlotStyle.margin, bottom: PlotStyle.margin),
      title: title, legend: legend)

    let markLabelHeight = canvas.measure("Ag", size: PlotStyle.noteSize).height
    let visibleMarks = marks.filter { $0.x.isFinite }
    var area = layout(
      on: canvas, in: rest, markRows: visibleMarks.isEmpty ? 0 : 1, markLabelHeight: markLabelHeight)
    if markLabelRows(visibleMarks, area: area, on: canvas).contains(1) {
      area = layout(on: canvas, in: rest, markRows: 2, markLabelHeight: markLabelHeight)
    }

    area.drawGrid(on: canvas)
    drawMarks(visibleMarks, area: area, on: canvas, labelHeight: markLabelHeight)
    // Raw series first, so smoothed lines and markers are drawn over them.
    let order = series.indices.sorted {
      (LinePlot.layer(series[$0].style), $0) < (LinePlot.layer(series[$1].style), $1)
    }
    for i in order { drawSeries(i, area: area, on: canvas) }
    area.drawAxes(on: canvas)
    if !series.contains(where: { s in s.points.contains { $0.x.isFinite && $0.y.isFinite } }) {
      area.drawNote("no data", on: canvas)
    }
  }

  private func drawSeries(_ index: Int, area: PlotArea, on canvas: Canvas) {
    let s = series[index]
    let color = color(ofSeries: index)
    let pixels = s.points.map { (x: area.px($0.x), y: area.py($0.y)) }
    let clip = area.plot.inset(left: -1, top: -1, right: -1, bottom: -1)
    switch s.style {
    case .raw:
      canvas.clipped(to: clip) { canvas.polyline(pixels, color: color, width: 1, alpha: 0.35) }
    case .bold:
      canvas.clipped(to: clip) { canvas.polyline(pixels, color: color, width: 2.5) }
    case .markers(let shape):
      canvas.clipped(to: clip) { canvas.polyline(pixels, color: color, width: 1.2) }
      let halo = area.plot.inset(left: -4, top: -4, right: -4, bottom: -4)
      for p in pixels where halo.contains(p.x, p.y) {
        canvas.marker(shape, x: p.x, y: p.y, size: 8, fill: color, stroke: .white, strokeWidth: 1)
      }
    }
  }

  private func layout(on canvas: Canvas, in rect: Rect, markRows: Int, markLabelHeight: Double) -> PlotArea {
    let xs = series.flatMap { $0.points.map(\.x) }
    let ys = series.flatMap { s in s.points.filter { $0.x.isFinite }.map(\.y) }
    return PlotArea.layout(
      canvas: canvas, in: rect.inset(top: Double(markRows) * (markLabelHeight + 2)), xLabel: xLabel,
      yLabel: yLabel,
      xAxis: { n in
        if let d = xDomain {
          return Axis.linear(lower: d.lowerBound, upper: d.upperBound, maxTicks: n, loose: false)
        }
        return Axis.linear(covering: xs, maxTicks: n, loose: false)
      },
      yAxis: { n in
        if let d = yDomain {
          return Axis.linear(lower: d.lowerBound, upper: d.upperBound, maxTicks: n, loose: false)
        }
        return Axis.linear(covering: ys, maxTicks: n, loose: true)
      })
  }

  /// For each mark (sorted by x), the row of its label: 0 just above the plot, 1 above
  /// that when it would overlap its left neighbour; -1 for marks outside the plot.
  private func markLabelRows(_ marks: [Mark], area: PlotArea, on canvas: Canvas) -> [Int] {
    var rowEnds = [-Double.infinity, -Double.infinity]
    return marks.sorted(by: { $0.x < $1.x }).map { mark in
      let x = area.px(mark.x)
      guard x >= area.plot.minX - 0.5, x <= area.plot.maxX + 0.5, !mark.label.isEmpty else { return -1 }
      let (left, w) = markLabelSpan(mark, x: x, on: canvas)
      let row = left >= rowEnds[0] + 6 ? 0 : (left >= rowEnds[1] + 6 ? 1 : 0)
      rowEnds[row] = left + w
      return row
    }
  }

  private func markLabelSpan(_ mark: Mark, x: Double, on canvas: Canvas) -> (left: Double, width: Double) {
    let w = canvas.measure(mark.label, size: PlotStyle.noteSize).width
    return (min(max(x - w / 2, 2), Double(canvas.width) - w - 2), w)
  }

  /// Dashed vertical lines, with their labels in the strip above the plot.
  private func drawMarks(_ marks: [Mark], area: PlotArea, on canvas: Canvas, labelHeight: Double) {
    let sorted = marks.sorted(by: { $0.x < $1.x })
    for (mark, row) in zip(sorted, markLabelRows(sorted, area: area, on: canvas)) {
      let x = area.px(mark.x)
      guard x >= area.plot.minX - 0.5, x <= area.plot.maxX + 0.5 else { continue }
      let xx = area.crisp(x)
      canvas.line(xx, area.plot.minY, xx, area.plot.maxY, color: Palette.guide, width: 1, dash: [4, 3])
      guard row >= 0 else { continue }
      let baselineY = area.plot.minY - 3 - Double(row) * (labelHeight + 2)
      canvas.text(
        mark.label, x: markLabelSpan(mark, x: x, on: canvas).left, y: baselineY, size: PlotStyle.noteSize,
        color: Palette.mutedText, valign: .bottom)
    }
  }

  private static func layer(_ style: Style) -> Int {
    switch style {
    case .raw: return 0
    case .bold: return 1
    case .markers: return 2
    }
  }

  private static func swatch(_ style: Style) -> LegendEntry.Swatch {
    switch style {
    case .raw: return .line(width: 1.5, alpha: 0.45)
    case .bold: return .line(width: 2.5, alpha: 1)
    case .markers(let shape): return .lineAndMarker(shape)
    }
  }
}
