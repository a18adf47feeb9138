import CharLSTM
import Foundation
import Interpretability

/// What every page's shell (`layout.mustache`) needs, with the page's own model in `page`.
struct PageContext {
  struct NavItem {
    let href: String
    let label: String
    let current: Bool
  }
  /// "" for pages at the top of the site, "../" for pages one folder down.
  let root: String
  let title: String
  let nav: [NavItem]
  let legends: [Legend]
  let hasLegends: Bool
  /// Site-relative script paths, loaded at the end of the body.
  let scripts: [String]
  let footer: String
  let page: Any
}

/// Renders the whole site file by file, in a fixed order, handing each file to
/// `emit` as soon as it is made (so memory stays flat with `--all-cells`).
struct SiteBuilder {
  let site: SiteData
  let templates: TemplateSet

  static let sections: [(href: String, label: String)] = [
    ("index.html", "Overview"), ("cells.html", "Cells"), ("predictions.html", "Predictions"),
    ("features.html", "Features"), ("samples.html", "Samples"), ("gates.html", "Gates"),
    ("explorer.html", "Explorer"),
  ]

  init(input: SiteInput, options: SiteOptions, templates: TemplateSet) {
    site = SiteData(input: input, options: options)
    self.templates = templates
  }

  /// Every file of the site (paths relative to its root, `/`-separated), in order.
  func build(emit: (String, [UInt8]) throws -> Void) throws {
    let a = site.analysis
    for asset in templates.assets { try emit("assets/\(asset.path)", asset.bytes) }

    let loss = SitePlots.loss(site.input.checkpoint.training)
    if let loss { try emit(loss.ref.src, try loss.png()) }
    try emit(
      "index.html",
      try page(
        "index", path: "index.html", title: "Overview", legends: [.cells],
        model: OverviewPage(site, lossPlot: loss?.ref)))

    try emit(
      "cells.html",
      try page(
        "cells", path: "cells.html", title: "Cells", scripts: ["assets/site.js"], model: CellsTablePage(site))
    )
    for (i, cell) in site.paged.enumerated() {
      let figure = SitePlots.histogram(cell)
      try emit(figure.ref.src, try figure.png())
      let path = "cells/\(cell.id.slug).html"
      try emit(
        path,
        try page(
          "cell", path: path, title: cell.id.description, legends: [.cells], scripts: ["assets/site.js"],
          model: CellPage(site, position: i, histogram: figure.ref)))
    }

    try emit(
      "predictions.html",
      try page(
        "predictions", path: "predictions.html", title: "Predictions", legends: [.probability, .surprisal],
        model: PredictionsPage(site)))

    try emit(
      "features.html",
      try page("features", path: "features.html", title: "Features", model: FeaturesIndexPage(site)))
    for (i, f) in a.features.enumerated() {
      let model = FeaturePage(site, feature: f, index: i)
      let path = "features/\(f.id).html"
      try emit(
        path,
        try page(
          "feature", path: path, title: f.name, legends: [.feature(max: model.maxLabel), .cells], model: model
        ))
    }

    try emit(
      "samples.html", try page("samples", path: "samples.html", title: "Samples", model: SamplesPage(site)))

    var scatter: [ImageRef] = []
    var activations: [[ImageRef]] = []
    for k in 0..<a.config.numLayers {
      let grid = SitePlots.gateSaturation(layer: k, gates: a.gates)
      try emit(grid.ref.src, try grid.png())
      scatter.append(grid.ref)
      var refs: [ImageRef] = []
      for state in CellState.allCases {
        let figure = SitePlots.activations(layer: k, state: state, cells: a.cells, bins: a.histogramBins)
        try emit(figure.ref.src, try figure.png())
        refs.append(figure.ref)
      }
      activations.append(refs)
    }
    try emit(
      "gates.html",
      try page(
        "gates", path: "gates.html", title: "Gates",
        model: GatesPage(site, scatter: scatter, activations: activations)))

    try emit("explorer-data.js", Array(ExplorerPage.dataScript(site).utf8))
    try emit(
      "explorer.html",
      try page(
        "explorer", path: "explorer.html", title: "Explorer", legends: [.cells],
        scripts: ["explorer-data.js", "assets/explorer.js"], model: ExplorerPage(site)))

    try emit("cells.csv", Array(cellsCSV(a).utf8))
    try emit("analysis.json", Array(analysisJSON(a).utf8))
  }

  /// One page rendered through its template inside the shared layout.
  func page(
    _ template: String, path: String, title: String, legends: [Legend] = [], scripts: [String] = [],
    model: Any
  ) throws -> [UInt8] {
    let depth = path.split(separator: "/").count - 1
    let root = String(repeating: "../", count: depth)
    let section = depth == 0 ? path : (path.hasPrefix("cells/") ? "cells.html" : "features.html")
    let nav = SiteBuilder.sections.map {
      PageContext.NavItem(href: $0.href, label: $0.label, current: $0.href == section)
    }
    let config = site.analysis.config
    let footer =
      "cellscope report · \(config.numLayers) × \(config.hiddenSize) LSTM · \(site.analysis.textName)"
    let context = PageContext(
      root: root, title: title, nav: nav, legends: legends, hasLegends: !legends.isEmpty, scripts: scripts,
      footer: footer, page: model)
    return Array(try templates.render(template, context).utf8)
  }
}
