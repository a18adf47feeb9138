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

  init(input: SiteInput, options: SiteOptions, templates: TemplateSet) {
    site = SiteData(input: input, options: options)
    self.templates = templates
  }

  /// Every file of the site (paths relative to its root, `/`-separated), in order.
  func build(emit: (String, [UInt8]) throws -> Void) throws {
    let a = site.analysis
    /// Renders a page of the site map with its template, path and title, and emits it.
    func emitPage(_ section: SiteMap.Section, legends: [Legend] = [], scripts: [String] = [], model: Any)
      throws
    {
      try emit(
        section.path,
        try page(
          section.template, path: section.path, title: section.title, legends: legends, scripts: scripts,
          model: model))
    }
    for asset in templates.assets { try emit("assets/\(asset.path)", asset.bytes) }

    let loss = SitePlots.loss(site.input.model.training)
    if let loss { try emit(loss.ref.src, try loss.png()) }
    try emitPage(.overview, legends: [.cells], model: OverviewPage(site, lossPlot: loss?.ref))

    try emitPage(.cells, scripts: ["assets/site.js"], model: CellsTablePage(site))
    for (i, cell) in site.paged.enumerated() {
      let figure = SitePlots.histogram(cell)
      try emit(figure.ref.src, try figure.png())
      let path = SiteMap.cellPage(cell.id)
      try emit(
        path,
        try page(
          "cell", path: path, title: cell.id.description, legends: [.cells], scripts: ["assets/site.js"],
          model: CellPage(site, position: i, histogram: figure.ref)))
    }

    try emitPage(.predictions, legends: [.probability, .surprisal], model: PredictionsPage(site))

    try emitPage(.features, model: FeaturesIndexPage(site))
    for (i, f) in a.features.enumerated() {
      var probePlot: ImageRef?
      if let result = a.probes?.first(where: { $0.feature == f.id }) {
        let figure = SitePlots.probe(result, featureName: f.name)
        try emit(figure.ref.src, try figure.png())
        probePlot = figure.ref
      }
      let model = FeaturePage(site, feature: f, index: i, probePlot: probePlot)
      let path = SiteMap.featurePage(f.id)
      try emit(
        path,
        try page(
          "feature", path: path, title: f.name, legends: [.feature(max: model.maxLabel), .cells], model: model
        ))
    }

    let emergence = EmergenceSection.figure(site.input.model.training)
    if let emergence { try emit(emergence.ref.src, try emergence.png()) }
    try emitPage(.samples, model: SamplesPage(site, emergencePlot: emergence?.ref))

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
    try emitPage(.gates, model: GatesPage(site, scatter: scatter, activations: activations))

    let closers = MemoryPage.closerFigure(site.input.memory)
    let errors = MemoryPage.errorFigure(site.input.memory)
    for figure in [closers, errors].compactMap({ $0 }) { try emit(figure.ref.src, try figure.png()) }
    try emitPage(
      .memory, legends: site.input.memory == nil ? [] : [MemoryPage.legend],
      model: MemoryPage(site, closerPlot: closers?.ref, errorPlot: errors?.ref))

    try emit("explorer-data.js", Array(ExplorerPage.dataScript(site).utf8))
    try emitPage(
      .explorer, legends: [.cells], scripts: ["explorer-data.js", "assets/explorer.js"],
      model: ExplorerPage(site))

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
    let section = SiteMap.section(of: path)
    let nav = SiteMap.sections.map {
      PageContext.NavItem(href: $0.path, label: $0.title, current: $0.path == section)
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
