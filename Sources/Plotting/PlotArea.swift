/// Font sizes and spacing shared by every plot, in pixels at 1x.
enum PlotStyle {
  static let titleSize = 16.0
  static let panelTitleSize = 14.0
  static let axisLabelSize = 13.0
  static let tickLabelSize = 12.0
  static let legendSize = 12.0
  static let noteSize = 11.0
  /// Blank border around the whole image.
  static let margin = 12.0
  static let tickLength = 5.0
  static let gap = 6.0
  /// Minimum blank space between neighbouring x tick labels.
  static let tickLabelGap = 14.0
}

/// The data rectangle of one plot with its two axes, and the drawing of its
/// grid, axis lines, ticks, tick labels and axis labels.
///
/// `layout` sizes the margins from the actual label widths (measured with
/// Cairo), so long tick labels or axis titles are never clipped.
struct PlotArea {
  /// Where the data goes, in pixels.
  var plot: Rect
  var x: Axis
  var y: Axis
  var xLabel: String
  var yLabel: String
  /// Room taken left of and below `plot` by labels, so they can be placed relative to it.
  var leftExtent: Double
  var bottomExtent: Double

  /// Pixel column of data value `v`.
  func px(_ v: Double) -> Double { plot.minX + x.fraction(v) * plot.width }
  /// Pixel row of data value `v`.
  func py(_ v: Double) -> Double { plot.maxY - y.fraction(v) * plot.height }

  /// Fits a plot with its labels into `rect`. The axis closures receive the largest
  /// sensible number of ticks for the space available. With `square`, the data
  /// rectangle is made square and centred in the space left.
  static func layout(
    canvas: Canvas, in rect: Rect, xLabel: String, yLabel: String, square: Bool = false,
    xAxis: (Int) -> Axis, yAxis: (Int) -> Axis
  ) -> PlotArea {
    let tick = canvas.measure("0", size: PlotStyle.tickLabelSize)
    let label = canvas.measure("Ag", size: PlotStyle.axisLabelSize)
    let topRoom = tick.height / 2 + 1
    let bottom =
      PlotStyle.tickLength + 3 + tick.height + (xLabel.isEmpty ? 0 : PlotStyle.gap + label.height)
    let plotHeight = max(8, rect.height - topRoom - bottom)
    let yAx = yAxis(max(2, Int(plotHeight / 34)))
    let yLabelWidth = yAx.labels.map { canvas.measure($0, size: PlotStyle.tickLabelSize).width }.max() ?? 0
    let left =
      (yLabel.isEmpty ? 0 : label.height + PlotStyle.gap) + yLabelWidth + 4 + PlotStyle.tickLength

    // Choose x ticks that do not collide, then make room for the last label's overhang.
    var right = 4.0
    var xAx = xAxis(2)
    for _ in 0..<2 {
      let plotWidth = max(8, rect.width - left - right)
      var maxTicks = max(2, Int(plotWidth / 45))
      while true {
        xAx = xAxis(maxTicks)
        let widths = xAx.labels.map { canvas.measure($0, size: PlotStyle.tickLabelSize).width }
        let spacing =
          zip(xAx.ticks, xAx.ticks.dropFirst()).map { (xAx.fraction($1) - xAx.fraction($0)) * plotWidth }
          .min()
          ?? .infinity
        if maxTicks <= 2 || spacing >= (widths.max() ?? 0) + PlotStyle.tickLabelGap { break }
        maxTicks -= 1
      }
      if let last = xAx.ticks.last, let lastLabel = xAx.labels.last {
        let w = canvas.measure(lastLabel, size: PlotStyle.tickLabelSize).width
        let room = (1 - xAx.fraction(last)) * plotWidth
        right = max(4, w / 2 - room + 2)
      }
    }

    var plot = Rect(
      x: rect.minX + left, y: rect.minY + topRoom,
      width: max(8, rect.width - left - right), height: plotHeight)
    if square {
      let side = min(plot.width, plot.height)
      plot.x += (plot.width - side) / 2
      plot.y += (plot.height - side) / 2
      plot.width = side
      plot.height = side
    }
    return PlotArea(
      plot: plot, x: xAx, y: yAx, xLabel: xLabel, yLabel: yLabel, leftExtent: left, bottomExtent: bottom)
  }

  /// Light grid lines at the ticks, drawn first so the data sits on top.
  func drawGrid(on canvas: Canvas, vertical: Bool = true, horizontal: Bool = true) {
    if horizontal {
      for t in y.ticks {
        let yy = crisp(py(t))
        canvas.line(plot.minX, yy, plot.maxX, yy, color: Palette.grid)
      }
    }
    if vertical {
      for t in x.ticks {
        let xx = crisp(px(t))
        canvas.line(xx, plot.minY, xx, plot.maxY, color: Palette.grid)
      }
    }
  }

  /// Axis lines, tick marks, tick labels and the two axis labels.
  func drawAxes(on canvas: Canvas, showXLabel: Bool = true, showYLabel: Bool = true) {
    let left = crisp(plot.minX)
    let bottom = crisp(plot.maxY)
    canvas.line(left, plot.minY, left, plot.maxY + 0.5, color: Palette.axis)
    canvas.line(plot.minX - 0.5, bottom, plot.maxX, bottom, color: Palette.axis)

    for (t, text) in zip(x.ticks, x.labels) {
      let xx = crisp(px(t))
      canvas.line(xx, bottom, xx, bottom + PlotStyle.tickLength, color: Palette.axis)
      canvas.text(
        text, x: px(t), y: bottom + PlotStyle.tickLength + 3, size: PlotStyle.tickLabelSize,
        align: .center, valign: .top)
    }
    for (t, text) in zip(y.ticks, y.labels) {
      let yy = crisp(py(t))
      canvas.line(left - PlotStyle.tickLength, yy, left, yy, color: Palette.axis)
      canvas.text(
        text, x: left - PlotStyle.tickLength - 4, y: py(t), size: PlotStyle.tickLabelSize,
        align: .right, valign: .middle)
    }
    if showXLabel {
      canvas.text(
        xLabel, x: plot.midX, y: plot.maxY + bottomExtent, size: PlotStyle.axisLabelSize,
        align: .center, valign: .bottom)
    }
    if showYLabel {
      canvas.text(
        yLabel, x: plot.minX - leftExtent, y: plot.midY, size: PlotStyle.axisLabelSize,
        align: .center, valign: .top, vertical: true)
    }
  }

  /// A short muted message in the middle of the plot, e.g. "no data".
  func drawNote(_ note: String, on canvas: Canvas) {
    canvas.text(
      note, x: plot.midX, y: plot.midY, size: PlotStyle.noteSize, color: Palette.mutedText,
      align: .center, valign: .middle)
  }

  /// The centre of the pixel containing `v`, so 1-pixel lines stay sharp.
  func crisp(_ v: Double) -> Double { v.rounded(.down) + 0.5 }
}

/// One entry of a legend: a small sample of how the series is drawn, and its name.
struct LegendEntry: Sendable {
  enum Swatch: Sendable {
    case line(width: Double, alpha: Double)
    case marker(MarkerShape)
    case lineAndMarker(MarkerShape)
    case box
  }
  var name: String
  var color: RGBColor
  var swatch: Swatch
}

/// Title and legend at the top of a figure. The legend sits outside the data
/// area (on the title's line when both fit, otherwise on rows below it), so it
/// never hides data.
enum FigureHeader {
  static let swatchWidth = 24.0
  static let entrySpacing = 18.0

  /// Draws `title` and `legend` at the top of `rect` and returns the space left below.
  static func draw(
    on canvas: Canvas, in rect: Rect, title: String, titleSize: Double = PlotStyle.titleSize,
    legend: [LegendEntry]
  ) -> Rect {
    var top = rect.minY
    let titleMetrics = canvas.measure(title, size: titleSize, bold: true)
    if !title.isEmpty {
      canvas.text(title, x: rect.minX, y: top, size: titleSize, bold: true, valign: .top)
    }
    let rowHeight = canvas.measure("Ag", size: PlotStyle.legendSize).height + 4
    let widths = legend.map { swatchWidth + 6 + canvas.measure($0.name, size: PlotStyle.legendSize).width }
    let total = widths.reduce(0, +) + entrySpacing * Double(max(0, legend.count - 1))
    let titleWidth = title.isEmpty ? 0 : titleMetrics.width + 32

    if legend.isEmpty {
      top += title.isEmpty ? 0 : titleMetrics.height
    } else if titleWidth + total <= rect.width {
      // Title left, legend right, on one line.
      let centreY = top + (title.isEmpty ? rowHeight : titleMetrics.height) / 2
      drawRow(legend, widths: widths, on: canvas, from: rect.maxX - total, centreY: centreY)
      top += max(title.isEmpty ? rowHeight : titleMetrics.height, rowHeight)
    } else {
      // Legend rows under the title, each right-aligned.
      top += title.isEmpty ? 0 : titleMetrics.height + 2
      var start = 0
      while start < legend.count {
        var end = start
        var used = 0.0
        while end < legend.count {
          let extra = widths[end] + (end > start ? entrySpacing : 0)
          if end > start && used + extra > rect.width { break }
          used += extra
          end += 1
        }
        drawRow(
          Array(legend[start..<end]), widths: Array(widths[start..<end]), on: canvas,
          from: max(rect.minX, rect.maxX - used), centreY: top + rowHeight / 2)
        top += rowHeight
        start = end
      }
    }
    return Rect(
      x: rect.minX, y: top + PlotStyle.gap, width: rect.width, height: max(0, rect.maxY - top - PlotStyle.gap)
    )
  }

  private static func drawRow(
    _ entries: [LegendEntry], widths: [Double], on canvas: Canvas, from startX: Double, centreY: Double
  ) {
    var x = startX
    for (entry, w) in zip(entries, widths) {
      drawSwatch(entry, on: canvas, x: x, centreY: centreY)
      canvas.text(
        entry.name, x: x + swatchWidth + 6, y: centreY, size: PlotStyle.legendSize, align: .left,
        valign: .middle)
      x += w + entrySpacing
    }
  }

  private static func drawSwatch(_ entry: LegendEntry, on canvas: Canvas, x: Double, centreY: Double) {
    let midX = x + swatchWidth / 2
    switch entry.swatch {
    case .line(let width, let alpha):
      canvas.line(x, centreY, x + swatchWidth, centreY, color: entry.color, width: width, alpha: alpha)
    case .marker(let shape):
      canvas.marker(shape, x: midX, y: centreY, size: 8, fill: entry.color, stroke: .white, strokeWidth: 0.8)
    case .lineAndMarker(let shape):
      canvas.line(x, centreY, x + swatchWidth, centreY, color: entry.color, width: 1.2)
      canvas.marker(shape, x: midX, y: centreY, size: 8, fill: entry.color, stroke: .white, strokeWidth: 1)
    case .box:
      canvas.fillRect(Rect(x: x + 4, y: centreY - 6, width: swatchWidth - 8, height: 12), color: entry.color)
    }
  }
}
