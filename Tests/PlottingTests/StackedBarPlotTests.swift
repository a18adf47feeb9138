import Testing

@testable import Plotting

@Suite struct StackedBarPlotTests {
  static let red = RGBColor(hex: 0xD62728)
  static let green = RGBColor(hex: 0x2CA02C)

  @Test func segmentsAreRunningSumsWithBadValuesAsZero() {
    let plot = StackedBarPlot(
      title: "", xLabel: "", categories: ["a", "b", "c", "d"], bars: [])
    let bar = StackedBarPlot.Bar(label: "x", values: [3, -2, .nan, 5])
    #expect(plot.segments(bar) == [0...3, 3...3, 3...3, 3...8])
    // Missing values count as 0.
    #expect(plot.segments(.init(label: "y", values: [1])) == [0...1, 1...1, 1...1, 1...1])
  }

  @Test func segmentAreasFollowTheirValues() throws {
    // One bar, 1 part red to 3 parts green: the green area is about three times the red.
    let plot = StackedBarPlot(
      title: "t", xLabel: "errors", categories: ["r", "g"], colors: [Self.red, Self.green],
      bars: [.init(label: "LSTM", values: [100, 300])], width: 600, height: 200)
    let image = try PNGImage(decoding: plot.png())
    #expect(image.width == 600 && image.height == 200)
    // Subtract the legend swatches (boxes of the same colours) by counting below the header.
    let body = image.height / 3..<image.height
    let r = image.count(of: Self.red, y: body)
    let g = image.count(of: Self.green, y: body)
    #expect(r > 500)
    #expect(Double(g) / Double(r) > 2.6 && Double(g) / Double(r) < 3.4)
  }

  @Test func emptyInputStillDrawsAxes() throws {
    for bars in [[], [StackedBarPlot.Bar(label: "none", values: [0, 0])]] {
      let plot = StackedBarPlot(title: "t", xLabel: "x", categories: ["a", "b"], bars: bars)
      let image = try PNGImage(decoding: plot.png())
      #expect(image.count(of: Palette.axis) > 300)
    }
  }
}
