/// Horizontal stacked bars, rendered to PNG: each bar is one row, split into segments
/// that share a colour per category (the legend names the categories). Used for the
/// error taxonomy: one bar of LSTM errors split by class.
///
/// Values are counts (or any non-negative amounts); negative and non-finite values are
/// drawn as 0. Empty bars or all-zero values still give a full frame with axes and the
/// note "no data".
public struct StackedBarPlot: Sendable {
  /// One named row of segments, one value per category (missing values count as 0).
  public struct Bar: Sendable, Equatable {
    public var label: String
    public var values: [Double]
    public init(label: String, values: [Double]) {
      self.label = label
      self.values = values
    }
  }

  public var title: String
  public var xLabel: String
  /// Category names, in stacking order (left to right); the legend lists them.
  public var categories: [String]
  /// Category colours; nil: the palette's series colours.
  public var colors: [RGBColor]?
  /// Rows, drawn top to bottom.
  public var bars: [Bar]
  public var width: Int
  public var height: Int

  public init(
    title: String, xLabel: String, categories: [String], colors: [RGBColor]? = nil, bars: [Bar],
    width: Int = 720, height: Int = 220
  ) {
    self.title = title
    self.xLabel = xLabel
    self.categories = categories
    self.colors = colors
    self.bars = bars
    self.width = width
    self.height = height
  }

  /// The colour of category `i`.
  public func color(_ i: Int) -> RGBColor {
    if let colors, i < colors.count { return colors[i] }
    return Palette.series(i)
  }

  /// Where each segment of `bar` starts and ends along the value axis: the running sums
  /// of its (clamped) values, one range per category.
  public func segments(_ bar: Bar) -> [ClosedRange<Double>] {
    var start = 0.0
    return categories.indices.map { i in
      let v = i < bar.values.count && bar.values[i].isFinite ? max(0, bar.values[i]) : 0
      defer { start += v }
      return start...(start + v)
    }
  }

  /// The plot as PNG bytes, `width` x `height` pixels.
  public func png() throws -> [UInt8] {
    let canvas = try Canvas(width: width, height: height)
    draw(on: canvas)
    return try canvas.pngData()
  }

  private func draw(on canvas: Canvas) {
    let legend = categories.indices.map { LegendEntry(name: categories[$0], color: color($0), swatch: .box) }
    let rest = FigureHeader.draw(
      on: canvas,
      in: canvas.bounds.inset(
        left: PlotStyle.margin, top: PlotStyle.margin, right: PlotStyle.margin, bottom: PlotStyle.margin),
      title: title, legend: legend)
    let totals = bars.map { segments($0).last?.upperBound ?? 0 }
    let n = Double(max(1, bars.count))
    // Rows as categorical ticks: bar i is centred at n − i − 0.5, so the first is on top.
    let rows = Axis(
      lower: 0, upper: n, ticks: bars.indices.reversed().map { n - Double($0) - 0.5 },
      labels: bars.reversed().map(\.label))
    let area = PlotArea.layout(
      canvas: canvas, in: rest, xLabel: xLabel, yLabel: "",
      xAxis: { k in Axis.linear(lower: 0, upper: max(1, totals.max() ?? 1), maxTicks: k, loose: true) },
      yAxis: { _ in rows })
    area.drawGrid(on: canvas, horizontal: false)
    canvas.clipped(to: area.plot) {
      for (i, bar) in bars.enumerated() {
        let centre = area.py(n - Double(i) - 0.5)
        let thickness = min(48, area.plot.height / n * 0.6)
        for (k, segment) in segments(bar).enumerated() where segment.upperBound > segment.lowerBound {
          let x0 = area.px(segment.lowerBound)
          let x1 = area.px(segment.upperBound)
          canvas.fillRect(
            Rect(x: x0, y: centre - thickness / 2, width: max(0.5, x1 - x0), height: thickness),
            color: color(k))
        }
      }
    }
    area.drawAxes(on: canvas)
    if totals.allSatisfy({ $0 == 0 }) { area.drawNote("no data", on: canvas) }
  }
}
