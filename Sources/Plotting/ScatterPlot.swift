/// A scatter plot of one or more groups of (x, y) points, rendered to PNG.
///
/// Used for the gate-saturation figure of Karpathy, Johnson & Fei-Fei (2015):
/// one point per cell, x = fraction of steps the gate is left-saturated
/// (< 0.1), y = fraction right-saturated (> 0.9), one group per layer, with a
/// dashed diagonal as a guide. ``ScatterGrid`` puts several panels (one per
/// gate) side by side under one title and one legend.
///
/// Points are drawn translucent so that dense clusters read darker. Non-finite
/// points are skipped; points outside the domain are clipped away.
public struct ScatterPlot: Sendable {
  /// A named set of points drawn in one colour and shape.
  public struct Group: Sendable {
    /// The legend text.
    public var name: String
    /// Points in data coordinates; non-finite ones are skipped, an empty group draws no marker.
    public var points: [(x: Double, y: Double)]
    /// `nil`: the palette colour for the group's position.
    public var color: RGBColor?
    /// Marker drawn at each point.
    public var shape: MarkerShape

    public init(
      name: String, points: [(x: Double, y: Double)], color: RGBColor? = nil, shape: MarkerShape = .circle
    ) {
      self.name = name
      self.points = points
      self.color = color
      self.shape = shape
    }

    /// A group from parallel arrays (the shorter length wins), e.g. a layer's
    /// per-cell left- and right-saturation fractions.
    public init(name: String, x: [Double], y: [Double], color: RGBColor? = nil, shape: MarkerShape = .circle)
    {
      self.init(name: name, points: zip(x, y).map { (x: $0, y: $1) }, color: color, shape: shape)
    }
  }

  /// Figure title (in a ``ScatterGrid``, the panel title).
  public var title: String
  /// Caption of the x axis.
  public var xLabel: String
  /// Caption of the y axis.
  public var yLabel: String
  /// The groups, drawn in order (later ones on top).
  public var groups: [Group]
  /// Dashed line from (lower, lower) to (upper, upper).
  public var showDiagonal: Bool
  /// The x range shown, in data coordinates (default 0...1).
  public var xDomain: ClosedRange<Double>
  /// The y range shown, in data coordinates (default 0...1).
  public var yDomain: ClosedRange<Double>
  /// Keep the data area square (true for fraction-vs-fraction plots).
  public var square: Bool
  /// Width of the image in pixels (at least 1, at most `PNGImage.maxSide`; otherwise `png()` throws).
  public var width: Int
  /// Height of the image in pixels (same limits as `width`).
  public var height: Int

  public init(
    title: String, xLabel: String, yLabel: String, groups: [Group], showDiagonal: Bool = false,
    xDomain: ClosedRange<Double> = 0...1, yDomain: ClosedRange<Double> = 0...1, square: Bool = true,
    width: Int = 480, height: Int = 440
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.groups = groups
    self.showDiagonal = showDiagonal
    self.xDomain = xDomain
    self.yDomain = yDomain
    self.square = square
    self.width = width
    self.height = height
  }

  /// The plot as PNG bytes, `width` x `height` pixels.
  public func png() throws -> [UInt8] {
    let canvas = try Canvas(width: width, height: height)
    let rest = FigureHeader.draw(
      on: canvas,
      in: canvas.bounds.inset(
        left: PlotStyle.margin, top: PlotStyle.margin, right: PlotStyle.margin, bottom: PlotStyle.margin),
      title: title, legend: legendEntries())
    drawPanel(on: canvas, in: rest, showXLabel: true, showYLabel: true)
    return try canvas.pngData()
  }

  func color(ofGroup index: Int) -> RGBColor { groups[index].color ?? Palette.series(index) }

  func legendEntries() -> [LegendEntry] {
    groups.indices.filter { !groups[$0].name.isEmpty }.map { i in
      LegendEntry(name: groups[i].name, color: color(ofGroup: i), swatch: .marker(groups[i].shape))
    }
  }

  /// Draws axes and points (no title or legend) into `rect`; returns the layout used.
  @discardableResult
  func drawPanel(on canvas: Canvas, in rect: Rect, showXLabel: Bool, showYLabel: Bool) -> PlotArea {
    let area = PlotArea.layout(
      canvas: canvas, in: rect, xLabel: showXLabel ? xLabel : "", yLabel: showYLabel ? yLabel : "",
      square: square,
      xAxis: { n in
        Axis.linear(
          lower: xDomain.lowerBound, upper: xDomain.upperBound, maxTicks: min(n, 6), loose: false, pad: 0.03)
      },
      yAxis: { n in
        Axis.linear(
          lower: yDomain.lowerBound, upper: yDomain.upperBound, maxTicks: min(n, 6), loose: false, pad: 0.03)
      })
    area.drawGrid(on: canvas)
    canvas.clipped(to: area.plot) {
      if showDiagonal {
        let lo = max(xDomain.lowerBound, yDomain.lowerBound)
        let hi = min(xDomain.upperBound, yDomain.upperBound)
        if lo < hi {
          canvas.line(
            area.px(lo), area.py(lo), area.px(hi), area.py(hi), color: Palette.guide, width: 1, dash: [5, 4])
        }
      }
      let size = ScatterPlot.markerSize(points: groups.reduce(0) { $0 + $1.points.count })
      for (i, group) in groups.enumerated() {
        let color = color(ofGroup: i)
        for p in group.points where p.x.isFinite && p.y.isFinite {
          canvas.marker(
            group.shape, x: area.px(p.x), y: area.py(p.y), size: size, fill: color, fillAlpha: 0.55,
            stroke: color, strokeWidth: 0.75)
        }
      }
    }
    area.drawAxes(on: canvas)
    return area
  }

  /// Smaller markers when there are many points.
  static func markerSize(points: Int) -> Double {
    points > 2_000 ? 4 : (points > 300 ? 5 : 7)
  }
}

/// Several scatter panels in one image, in a grid, under a shared title and a
/// shared legend (the union of the panels' group names, first colour wins).
///
/// Each panel's own title labels it. When every panel has the same axis label,
/// the x label is drawn only under the bottom row and the y label only beside
/// the first column.
public struct ScatterGrid: Sendable {
  /// Title over the whole grid.
  public var title: String
  /// The panels, row by row; their own sizes are ignored. No panels: title only.
  public var panels: [ScatterPlot]
  /// Panels per row (default: all in one row).
  public var columns: Int
  /// Width of the image in pixels, shared by the columns.
  public var width: Int
  /// Height of the image in pixels; by default enough for roughly square panels.
  public var height: Int

  public init(title: String, panels: [ScatterPlot], columns: Int? = nil, width: Int = 880, height: Int? = nil)
  {
    self.title = title
    self.panels = panels
    self.columns = max(1, columns ?? max(1, panels.count))
    self.width = width
    let rows = max(1, (panels.count + self.columns - 1) / self.columns)
    // Roughly square panels plus room for the title and legend.
    self.height = height ?? Int((Double(width) / Double(self.columns)) * Double(rows) * 0.95 + 60)
  }

  /// The grid as PNG bytes, `width` x `height` pixels.
  public func png() throws -> [UInt8] {
    let canvas = try Canvas(width: width, height: height)
    var legend: [LegendEntry] = []
    for panel in panels {
      for entry in panel.legendEntries() where !legend.contains(where: { $0.name == entry.name }) {
        legend.append(entry)
      }
    }
    let rest = FigureHeader.draw(
      on: canvas,
      in: canvas.bounds.inset(
        left: PlotStyle.margin, top: PlotStyle.margin, right: PlotStyle.margin, bottom: PlotStyle.margin),
      title: title, legend: legend)
    guard !panels.isEmpty else { return try canvas.pngData() }

    let rows = (panels.count + columns - 1) / columns
    let sameX = Set(panels.map(\.xLabel)).count == 1
    let sameY = Set(panels.map(\.yLabel)).count == 1
    let cellWidth = rest.width / Double(columns)
    let cellHeight = rest.height / Double(rows)
    let panelTitle = canvas.measure("Ag", size: PlotStyle.panelTitleSize, bold: true).height
    for (index, panel) in panels.enumerated() {
      let row = index / columns
      let column = index % columns
      let cell = Rect(
        x: rest.minX + Double(column) * cellWidth, y: rest.minY + Double(row) * cellHeight,
        width: cellWidth, height: cellHeight
      ).inset(left: column == 0 ? 0 : 10, bottom: row == rows - 1 ? 0 : 10)
      let isLastInColumn = index + columns >= panels.count
      let area = panel.drawPanel(
        on: canvas, in: cell.inset(top: panelTitle + 4),
        showXLabel: !sameX || isLastInColumn, showYLabel: !sameY || column == 0)
      // Centred over the data area, just above the top tick label.
      canvas.text(
        panel.title, x: area.plot.midX, y: area.plot.minY - 10, size: PlotStyle.panelTitleSize, bold: true,
        align: .center, valign: .bottom)
    }
    return try canvas.pngData()
  }
}
