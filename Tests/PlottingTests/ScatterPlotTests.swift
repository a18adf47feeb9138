import Testing

@testable import Plotting

@Suite struct ScatterPlotTests {
  /// Deterministic points in [0, 1] x [0, 1].
  static func points(_ n: Int, seed: Int) -> [(x: Double, y: Double)] {
    (0..<n).map { i in
      let a = Double((i * 7919 + seed * 104_729) % 1000) / 1000
      let b = Double((i * 6007 + seed * 15_485_863) % 997) / 997
      return (x: a * a, y: b * (1 - a * a))
    }
  }

  static func panel(_ title: String, seed: Int, groups: Int = 3) -> ScatterPlot {
    ScatterPlot(
      title: title, xLabel: "fraction left-saturated", yLabel: "fraction right-saturated",
      groups: (0..<groups).map { .init(name: "layer \($0 + 1)", points: points(64, seed: seed + $0)) },
      showDiagonal: true)
  }

  @Test func singlePanelDecodesWithTheRequestedSize() throws {
    var plot = Self.panel("forget gate", seed: 1)
    plot.width = 400
    plot.height = 380
    let image = try PNGImage(decoding: plot.png())
    #expect(image.width == 400 && image.height == 380)
    #expect(image.isOpaque)
  }

  @Test func gridDecodesWithTheRequestedSize() throws {
    let gates = ["input gate", "forget gate", "output gate"]
    let row = ScatterGrid(
      title: "Gate saturation", panels: gates.enumerated().map { Self.panel($1, seed: $0) })
    let image = try PNGImage(decoding: row.png())
    #expect(image.width == 880)
    #expect(image.height == row.height)

    let nine = (0..<9).map { Self.panel("layer \($0 / 3 + 1), \(gates[$0 % 3])", seed: $0) }
    let grid = ScatterGrid(title: "Gate saturation", panels: nine, columns: 3, width: 900, height: 960)
    let gridImage = try PNGImage(decoding: grid.png())
    #expect(gridImage.width == 900 && gridImage.height == 960)
  }

  @Test func rendersIdenticalBytesTwice() throws {
    let grid = ScatterGrid(title: "t", panels: [Self.panel("a", seed: 3), Self.panel("b", seed: 4)])
    #expect(try grid.png() == grid.png())
    let single = Self.panel("a", seed: 5)
    #expect(try single.png() == single.png())
  }

  @Test func groupColoursAppearInThePlot() throws {
    let image = try PNGImage(decoding: Self.panel("p", seed: 7).png())
    for i in 0..<3 {
      // Translucent markers: the group colour blended with the white background.
      #expect(image.count(tintsOf: Palette.series(i), y: 40..<image.height) > 200, "group \(i)")
    }
  }

  @Test func diagonalIsOptional() throws {
    var plot = Self.panel("p", seed: 2, groups: 0)
    let with = try PNGImage(decoding: plot.png())
    plot.showDiagonal = false
    let without = try PNGImage(decoding: plot.png())
    #expect(with != without)
  }

  @Test func degenerateInputStillRendersAxes() throws {
    let cases: [[ScatterPlot.Group]] = [
      [],
      [.init(name: "empty", points: [])],
      [
        .init(
          name: "odd", points: [(x: .nan, y: 0.5), (x: 2, y: -1), (x: 0.5, y: .infinity), (x: 0.5, y: 0.5)])
      ],
    ]
    for groups in cases {
      let plot = ScatterPlot(title: "t", xLabel: "x", yLabel: "y", groups: groups)
      let image = try PNGImage(decoding: plot.png())
      #expect(image.count(of: Palette.axis) > 400)
    }
    let emptyGrid = ScatterGrid(title: "nothing", panels: [])
    #expect(try PNGImage(decoding: emptyGrid.png()).width == 880)
  }

  @Test func gridDefaultsToOneRow() {
    let grid = ScatterGrid(title: "t", panels: [Self.panel("a", seed: 0), Self.panel("b", seed: 1)])
    #expect(grid.columns == 2)
    #expect(grid.height > 300 && grid.height < 500)
  }

  @Test func groupsFromParallelArraysPairThemUp() {
    let group = ScatterPlot.Group(name: "layer 1", x: [0.1, 0.2, 0.3], y: [0.9, 0.8])
    #expect(group.points.count == 2)
    #expect(group.points[1].x == 0.2 && group.points[1].y == 0.8)
  }

  @Test func markersShrinkForLargeClouds() {
    #expect(ScatterPlot.markerSize(points: 100) > ScatterPlot.markerSize(points: 1000))
    #expect(ScatterPlot.markerSize(points: 1000) > ScatterPlot.markerSize(points: 5000))
  }
}
