import Testing

@testable import Plotting

@Suite struct LinePlotTests {
  static let vermillion = RGBColor(hex: 0xD55E00)
  static let axisGrey = Palette.axis

  /// A decreasing noisy curve with deterministic "noise".
  static func trainingLoss(_ n: Int = 500) -> [(x: Double, y: Double)] {
    (0..<n).map { i in
      let t = Double(i)
      return (x: t, y: 1.5 + 2.5 / (1 + t / 40) + 0.1 * Double((i * 7919) % 13 - 6) / 6)
    }
  }

  static func render(_ plot: LinePlot) throws -> PNGImage { try PNGImage(decoding: plot.png()) }

  @Test func decodesWithTheRequestedSize() throws {
    for (w, h) in [(880, 360), (640, 300), (320, 200)] {
      var plot = LinePlot.lossCurve(training: Self.trainingLoss(), validation: [(x: 100, y: 2.1)])
      plot.width = w
      plot.height = h
      let image = try Self.render(plot)
      #expect(image.width == w)
      #expect(image.height == h)
      #expect(image.isOpaque)
    }
  }

  @Test func defaultsTo880By360() {
    let plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [])
    #expect(plot.width == 880 && plot.height == 360)
  }

  @Test func rendersIdenticalBytesTwice() throws {
    let plot = LinePlot.lossCurve(
      training: Self.trainingLoss(), validation: [(x: 100, y: 2.1), (x: 200, y: 1.9)],
      learningRateChanges: [.init(x: 250, label: "lr × 0.5")])
    #expect(try plot.png() == plot.png())
  }

  @Test func drawsTheSeriesColourInsideThePlotArea() throws {
    let series = LinePlot.Series(
      name: "loss", points: Self.trainingLoss(), style: .bold, color: Self.vermillion)
    let plot = LinePlot(title: "Loss", xLabel: "step", yLabel: "loss", series: [series])
    let image = try Self.render(plot)
    // Below the title and legend row, right of the y tick labels.
    let inPlot = image.count(of: Self.vermillion, x: 80..<870, y: 60..<300)
    #expect(inPlot > 300)

    // The same plot without the series has none of that colour.
    let blank = try Self.render(LinePlot(title: "Loss", xLabel: "step", yLabel: "loss", series: []))
    #expect(blank.count(of: Self.vermillion) == 0)
  }

  @Test func everyStyleDrawsSomething() throws {
    for style in [
      LinePlot.Style.raw, .bold, .markers(.circle), .markers(.square), .markers(.diamond),
      .markers(.triangle),
    ] {
      let plot = LinePlot(
        title: "", xLabel: "", yLabel: "",
        series: [.init(name: "", x: [0, 1, 2, 3], y: [0, 1, 0, 1], style: style, color: Self.vermillion)])
      let image = try Self.render(plot)
      // Raw lines are translucent, so look for any reddish pixel instead of the exact colour.
      var reddish = 0
      for y in 0..<image.height {
        for x in 0..<image.width {
          let p = image.pixel(x: x, y: y)
          if Int(p.r) > Int(p.b) + 40 { reddish += 1 }
        }
      }
      #expect(reddish > 50, "\(style)")
    }
  }

  @Test(arguments: [
    ("empty", [LinePlot.Series]()),
    ("empty series", [LinePlot.Series(name: "a", points: [])]),
    ("single point", [LinePlot.Series(name: "a", x: [3], y: [1.5], style: .markers(.circle))]),
    ("constant", [LinePlot.Series(name: "a", x: [0, 1, 2, 3], y: [2, 2, 2, 2])]),
    ("NaN values", [LinePlot.Series(name: "a", x: [0, 1, 2, 3, 4], y: [1, .nan, 3, .infinity, 2])]),
    ("all NaN", [LinePlot.Series(name: "a", x: [.nan, 1], y: [.nan, .nan])]),
    ("huge values", [LinePlot.Series(name: "a", x: [0, 1e12], y: [-1e15, 1e15])]),
  ])
  func degenerateInputStillRendersAxes(name: String, series: [LinePlot.Series]) throws {
    let plot = LinePlot(
      title: "Degenerate: \(name)", xLabel: "x", yLabel: "y", series: series,
      marks: [.init(x: 1, label: "mark"), .init(x: .nan, label: "bad")])
    let image = try Self.render(plot)
    #expect(image.width == 880 && image.height == 360)
    // The two axis lines are long runs of the axis colour.
    #expect(image.count(of: Self.axisGrey) > 800, "\(name)")
  }

  @Test func tinyAndLargeSizesDoNotCrash() throws {
    let series = [LinePlot.Series(name: "a", points: Self.trainingLoss(50))]
    for (w, h) in [(1, 1), (40, 30), (2000, 900)] {
      let image = try Self.render(
        LinePlot(title: "t", xLabel: "x", yLabel: "y", series: series, width: w, height: h))
      #expect(image.width == w && image.height == h)
    }
    #expect(throws: PNGError.self) {
      try LinePlot(title: "", xLabel: "", yLabel: "", series: [], width: 0).png()
    }
  }

  @Test func marksDrawDashedGuides() throws {
    let plain = LinePlot(
      title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: Self.trainingLoss())])
    var marked = plain
    marked.marks = [
      .init(x: 100, label: "lr × 0.5"), .init(x: 105, label: "lr × 0.25"), .init(x: 9999, label: "off"),
    ]
    // Anti-aliased grey text may contain the guide grey too, so compare the two.
    let before = try Self.render(plain).count(of: Palette.guide)
    let after = try Self.render(marked).count(of: Palette.guide)
    #expect(after - before > 100)
  }

  @Test func fixedDomainsAreHonoured() throws {
    var plot = LinePlot(
      title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: Self.trainingLoss())])
    plot.xDomain = 0...100
    plot.yDomain = 0...10
    #expect(try Self.render(plot).width == 880)
  }

  @Test func centredMovingAverageHasNoLag() {
    let points = [1.0, 2, 3, 4, 5].enumerated().map { (x: Double($0), y: $1) }
    let centred = LinePlot.movingAverage(points, window: 3).map(\.y)
    #expect(centred == [1.5, 2, 3, 4, 4.5])
    let trailing = LinePlot.movingAverage(points, window: 2, centered: false).map(\.y)
    #expect(trailing == [1, 1.5, 2.5, 3.5, 4.5])
    #expect(LinePlot.movingAverage(points, window: 1).map(\.y) == [1, 2, 3, 4, 5])
    #expect(LinePlot.movingAverage(points, window: 0).map(\.y) == [1, 2, 3, 4, 5])
    #expect(LinePlot.movingAverage([], window: 5).isEmpty)
  }

  @Test func movingAverageSkipsNonFiniteValues() {
    let points = [1.0, .nan, 3, 5].enumerated().map { (x: Double($0), y: $1) }
    let smoothed = LinePlot.movingAverage(points, window: 3)
    #expect(smoothed[0].y == 1)
    #expect(smoothed[1].y.isNaN)
    #expect(smoothed[2].y == 4)
    #expect(smoothed[3].y == 4)
    #expect(smoothed.map(\.x) == [0, 1, 2, 3])
  }

  @Test func lossCurveHasRawSmoothedAndValidationSeries() {
    let plot = LinePlot.lossCurve(
      training: Self.trainingLoss(), validation: [(x: 10, y: 2)], smoothingWindow: 25)
    #expect(plot.series.map(\.style) == [.raw, .bold, .markers(.circle)])
    #expect(plot.series[0].color == plot.series[1].color)
    #expect(plot.series[1].name.contains("25"))
    let unsmoothed = LinePlot.lossCurve(training: [], validation: [])
    #expect(unsmoothed.series.count == 2)
  }
}
