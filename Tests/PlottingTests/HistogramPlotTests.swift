import Foundation
import Testing

@testable import Plotting

@Suite struct HistogramPlotTests {
  /// tanh of a deterministic spread of values, like a cell's activations.
  static let activations: [Double] = (0..<5000).map { i in tanh(3 * sin(Double(i) * 0.7919)) }

  @Test func binsCountLikeNumPy() {
    let bins = HistogramPlot.bin([0, 0.1, 0.5, 0.99, 1, 1.5, -0.2, .nan], count: 2, range: 0...1)
    #expect(bins.count == 2)
    #expect(bins[0] == .init(lower: 0, upper: 0.5, count: 2))
    // The last bin includes its upper edge; values outside the range and NaN are dropped.
    #expect(bins[1] == .init(lower: 0.5, upper: 1, count: 3))
  }

  @Test func binsWithoutARangeSpanTheFiniteValues() {
    let bins = HistogramPlot.bin([2, 4, 6, 8, .infinity], count: 3)
    #expect(bins.first?.lower == 2)
    #expect(bins.last?.upper == 8)
    #expect(bins.map(\.count).reduce(0, +) == 4)
  }

  @Test func degenerateBinning() {
    #expect(HistogramPlot.bin([], count: 4).map(\.count) == [0, 0, 0, 0])
    let same = HistogramPlot.bin([3, 3, 3], count: 2)
    #expect(same.map(\.count).reduce(0, +) == 3)
    #expect(same[0].lower == 2.5 && same[1].upper == 3.5)
    #expect(HistogramPlot.bin([1, 2], count: 0).count == 1)
  }

  @Test func precountedBinsSpanTheRangeEvenly() {
    let bins = HistogramPlot.bins(counts: [1, 2, 3, 4])
    #expect(bins.map(\.lower) == [-1, -0.5, 0, 0.5])
    #expect(bins.map(\.upper) == [-0.5, 0, 0.5, 1])
    #expect(bins.map(\.count) == [1, 2, 3, 4])
    #expect(HistogramPlot.bins(counts: []).isEmpty)
    #expect(HistogramPlot.bins(counts: [5], over: 0...2) == [.init(lower: 0, upper: 2, count: 5)])
  }

  @Test func activationsFillEveryBinOverMinusOneToOne() {
    let bins = HistogramPlot.bin(Self.activations, count: 20, range: -1...1)
    #expect(bins.map(\.count).reduce(0, +) == Self.activations.count)
    #expect(bins.allSatisfy { $0.count > 0 })
    #expect(abs(bins[10].lower) < 1e-12)
  }

  @Test(arguments: [false, true])
  func decodesWithTheRequestedSize(logCount: Bool) throws {
    let plot = HistogramPlot(
      title: "tanh(c)", xLabel: "tanh(c)", values: Self.activations, binCount: 40, range: -1...1,
      logCount: logCount, width: 700, height: 280)
    let image = try PNGImage(decoding: plot.png())
    #expect(image.width == 700 && image.height == 280)
    #expect(image.isOpaque)
  }

  @Test func rendersIdenticalBytesTwice() throws {
    let plot = HistogramPlot(
      title: "t", xLabel: "x", values: Self.activations, binCount: 30, range: -1...1,
      fill: .colorMap(.diverging))
    #expect(try plot.png() == plot.png())
  }

  @Test func solidBarsUseTheFillColour() throws {
    let blue = Palette.series(0)
    let plot = HistogramPlot(title: "t", xLabel: "x", values: Self.activations, binCount: 20, range: -1...1)
    let image = try PNGImage(decoding: plot.png())
    #expect(image.count(of: blue) > 5000)
  }

  @Test func colourMappedBarsShowBothEndsOfTheMap() throws {
    let plot = HistogramPlot(
      title: "t", xLabel: "x", values: Self.activations, binCount: 20, range: -1...1,
      fill: .colorMap(.diverging))
    let image = try PNGImage(decoding: plot.png())
    let lowEnd = ColorMap.diverging.color(-0.95)
    let highEnd = ColorMap.diverging.color(0.95)
    #expect(image.count(of: lowEnd) > 200)
    #expect(image.count(of: highEnd) > 200)
  }

  @Test func logScaleShowsSmallCountsNextToLargeOnes() throws {
    // One bin of 100000 and one of 1: on a linear axis the 1 is invisible.
    let bins = [
      HistogramPlot.Bin(lower: 0, upper: 1, count: 100_000), HistogramPlot.Bin(lower: 1, upper: 2, count: 1),
    ]
    let blue = Palette.series(0)
    func barPixels(_ log: Bool) throws -> Int {
      let image = try PNGImage(
        decoding: HistogramPlot(title: "", xLabel: "", bins: bins, logCount: log).png())
      return image.count(of: blue, x: image.width * 3 / 4..<image.width)
    }
    #expect(try barPixels(true) > 100)
    #expect(try barPixels(false) < 100)
  }

  @Test(arguments: [
    [HistogramPlot.Bin](),
    [HistogramPlot.Bin(lower: 0, upper: 1, count: 0)],
    [HistogramPlot.Bin(lower: .nan, upper: 1, count: 3), HistogramPlot.Bin(lower: 2, upper: 2, count: 4)],
    [HistogramPlot.Bin(lower: -1, upper: 1, count: 7)],
  ])
  func degenerateBinsStillRenderAxes(bins: [HistogramPlot.Bin]) throws {
    for log in [false, true] {
      let image = try PNGImage(
        decoding: HistogramPlot(title: "t", xLabel: "x", bins: bins, logCount: log).png())
      #expect(image.width == 880 && image.height == 360)
      #expect(image.count(of: Palette.axis) > 800)
    }
  }
}
