import CharLSTM
import Foundation
import Interpretability
import Plotting

/// The site's figures: what each plot shows and its file name and size.
///
/// Every figure is drawn by the plot types of this module (Cairo, encoded with
/// libpng) and referenced from pages through an ``ImageRef`` carrying its pixel
/// size, so a test can check every PNG decodes to the size the page claims.
enum SitePlots {
  struct Figure {
    let ref: ImageRef
    let png: () throws -> [UInt8]
  }

  static let lossSize = (width: 880, height: 360)
  static let histogramSize = (width: 640, height: 240)
  static let gateGridWidth = 960
  static let activationSize = (width: 470, height: 250)
  static let probeSize = (width: 470, height: 260)

  /// Held-out probe score against the number of cells it reads, k = 1, 2, 4, 8, 16 on a log₂ axis,
  /// and the all-cells probe as a lone marker at its own k (labelled by a dashed mark).
  static func probe(_ result: ProbeResult, featureName: String) -> Figure {
    let binary = result.kind == "binary"
    let sparse = result.steps.filter { !$0.allCells }.map { (x: Foundation.log2(Double($0.k)), y: $0.score) }
    let all = result.steps.filter(\.allCells).map { (x: Foundation.log2(Double(max($0.k, 1))), y: $0.score) }
    var series = [
      LinePlot.Series(name: "k best cells (greedy)", points: sparse, style: .bold, color: Palette.series(0))
    ]
    series.append(
      LinePlot.Series(
        name: "k best cells", points: sparse, style: .markers(.circle), color: Palette.series(0),
        showInLegend: false))
    if !all.isEmpty {
      series.append(
        LinePlot.Series(name: "all cells", points: all, style: .markers(.square), color: Palette.series(1)))
    }
    let marks = result.steps.filter(\.allCells).map {
      LinePlot.Mark(x: Foundation.log2(Double(max($0.k, 1))), label: "all \($0.k)")
    }
    let plot = LinePlot(
      title: "Probes for \(featureName)", xLabel: "log₂ k (cells the probe reads)",
      yLabel: binary ? "held-out AUC" : "held-out r", series: series, marks: marks,
      yDomain: binary ? 0.5...1 : min(0, result.steps.map(\.score).min() ?? 0)...1, width: probeSize.width,
      height: probeSize.height)
    let ref = ImageRef(
      src: "img/probe-\(result.feature).png", width: probeSize.width, height: probeSize.height,
      alt:
        "Held-out \(binary ? "AUC" : "r") of probes reading 1, 2, 4, 8, 16 and all cells for \(featureName): \(result.verdict.rawValue)"
    )
    return Figure(ref: ref, png: plot.png)
  }

  /// Raw training loss per step (light), smoothed (bold), validation loss per
  /// evaluation (markers), learning-rate changes (dashed marks); nil without a history.
  static func loss(_ record: TrainingRecord?) -> Figure? {
    guard let record, !record.trainLoss.isEmpty || !record.evaluations.isEmpty else { return nil }
    let training = record.trainLoss.enumerated().map { (x: Double($0.offset + 1), y: Double($0.element)) }
    let validation = record.evaluations.map { (x: Double($0.step), y: $0.valLoss) }
    // Label at most five of the changes, evenly spread, so the labels stay legible.
    let changes = record.rateChanges
    let every = max(1, (changes.count + 4) / 5)
    let marks = changes.enumerated().map { i, c in
      LinePlot.Mark(x: Double(c.step), label: i % every == 0 ? "lr \(NumberFormat.rate(c.learningRate))" : "")
    }
    let window = max(1, min(100, training.count / 25))
    let plot = LinePlot.lossCurve(
      training: training, validation: validation, learningRateChanges: marks, smoothingWindow: window,
      width: lossSize.width, height: lossSize.height)
    let ref = ImageRef(
      src: "img/loss.png", width: lossSize.width, height: lossSize.height,
      alt:
        "Training loss per step with its moving average, and validation loss at each evaluation, in nats per character"
    )
    return Figure(ref: ref, png: plot.png)
  }

  /// The distribution of one cell's values over the analysed text (log counts).
  static func histogram(_ cell: CellReport) -> Figure {
    let n = max(1, cell.histogram.count)
    let bins = cell.histogram.enumerated().map { i, count in
      HistogramPlot.Bin(
        lower: -1 + 2 * Double(i) / Double(n), upper: -1 + 2 * Double(i + 1) / Double(n), count: count)
    }
    let quantity = cell.id.state == .c ? "tanh(c)" : "h"
    let plot = HistogramPlot(
      title: "\(cell.id.description): \(quantity) over the analysed text", xLabel: quantity, bins: bins,
      logCount: true, fill: .colorMap(.diverging), width: histogramSize.width, height: histogramSize.height)
    let ref = ImageRef(
      src: "img/hist-\(cell.id.slug).png", width: histogramSize.width, height: histogramSize.height,
      alt: "Histogram of \(quantity) for cell \(cell.id.description), counts on a log scale")
    return Figure(ref: ref, png: plot.png)
  }

  /// Karpathy et al. (2015), figure 3, for one layer: per cell, the fraction of
  /// steps its gate is left-saturated (< 0.1) against right-saturated (> 0.9),
  /// one panel for each of the input, forget and output gates.
  static func gateSaturation(layer: Int, gates: [GateSaturation]) -> Figure {
    let names = ["i": "input gate i", "f": "forget gate f", "o": "output gate o"]
    let panels = ["i", "f", "o"].map { gate -> ScatterPlot in
      let g = gates.first { $0.layer == layer && $0.gate == gate }
      let points = g.map { g in zip(g.left, g.right).map { (x: $0, y: $1) } } ?? []
      return ScatterPlot(
        title: names[gate]!, xLabel: "fraction left-saturated (< 0.1)",
        yLabel: "fraction right-saturated (> 0.9)",
        groups: [
          ScatterPlot.Group(name: "layer \(layer) cells", points: points, color: Palette.series(layer))
        ],
        showDiagonal: true)
    }
    let grid = ScatterGrid(title: "Gate saturation, layer \(layer)", panels: panels, width: gateGridWidth)
    let ref = ImageRef(
      src: "img/gates-l\(layer).png", width: grid.width, height: grid.height,
      alt:
        "Layer \(layer): for each cell, the fraction of steps its input, forget and output gates are below 0.1 against above 0.9"
    )
    return Figure(ref: ref, png: grid.png)
  }

  /// All cells of one layer and state pooled: the distribution of their values.
  static func activations(layer: Int, state: CellState, cells: [CellReport], bins: Int) -> Figure {
    let mine = cells.filter { $0.id.layer == layer && $0.id.state == state }
    let n = max(1, mine.map(\.histogram.count).max() ?? bins)
    var counts = [Int](repeating: 0, count: n)
    for c in mine where c.histogram.count == n {
      for (i, k) in c.histogram.enumerated() { counts[i] += k }
    }
    let histogramBins = counts.enumerated().map { i, count in
      HistogramPlot.Bin(
        lower: -1 + 2 * Double(i) / Double(n), upper: -1 + 2 * Double(i + 1) / Double(n), count: count)
    }
    let quantity = state == .c ? "tanh(c)" : "h"
    let plot = HistogramPlot(
      title: "Layer \(layer): \(quantity), all cells", xLabel: quantity, bins: histogramBins, logCount: true,
      fill: .colorMap(.diverging), width: activationSize.width, height: activationSize.height)
    let ref = ImageRef(
      src: "img/act-l\(layer)-\(state.rawValue).png", width: activationSize.width,
      height: activationSize.height,
      alt: "Histogram of \(quantity) over all cells of layer \(layer), counts on a log scale")
    return Figure(ref: ref, png: plot.png)
  }
}
