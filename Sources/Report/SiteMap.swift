import Interpretability

/// The site's pages and where they live: the one list the navigation bar and
/// the overview's links are both made from, and the paths of the per-cell and
/// per-feature pages.
///
/// Paths are relative to the site's root folder, `/`-separated; pages one
/// folder down (`cells/`, `features/`) belong to the section of their index.
enum SiteMap {
  /// A top-level page: its file, its title (page title and navigation label)
  /// and, for the overview's list of links, a label and a one-line summary.
  struct Section {
    /// The page's path, also its template's name plus ".html": "cells.html".
    let path: String
    /// The page's title, also its label in the navigation bar.
    let title: String
    /// How the overview's list of links names the page ("All cells" for the table).
    let linkLabel: String
    /// What the page shows, after the link on the overview; empty for the overview itself.
    let summary: String

    /// The template that renders the page: the path without ".html".
    var template: String { String(path.dropLast(".html".count)) }

    static let overview = Section(path: "index.html", title: "Overview", linkLabel: "Overview", summary: "")
    static let cells = Section(
      path: "cells.html", title: "Cells", linkLabel: "All cells",
      summary: "every cell ranked, with its role, scores and saturation")
    static let predictions = Section(
      path: "predictions.html", title: "Predictions", linkLabel: "Predictions",
      summary: "the top five guesses under each character, and how surprising each character was")
    static let features = Section(
      path: "features.html", title: "Features", linkLabel: "Features",
      summary: "the properties of text the cells are scored against, with the best cells for each")
    static let samples = Section(
      path: "samples.html", title: "Samples", linkLabel: "Samples",
      summary: "text the model writes at several temperatures, and during training")
    static let gates = Section(
      path: "gates.html", title: "Gates", linkLabel: "Gates",
      summary: "how often each gate is saturated, after Karpathy et al. (2015)")
    static let memory = Section(
      path: "memory.html", title: "Memory", linkLabel: "What memory buys",
      summary: "the LSTM against an n-gram model: where long memory pays, and the LSTM's errors by kind")
    static let explorer = Section(
      path: "explorer.html", title: "Explorer", linkLabel: "Explorer",
      summary: "any cell over the excerpt; select text to find the cells that mark it")
  }

  /// Every top-level page, in navigation order (the overview first).
  static let sections: [Section] = [
    .overview, .cells, .predictions, .features, .samples, .gates, .memory, .explorer,
  ]

  /// The pages the overview links to: every section but itself.
  static var linkedFromOverview: [Section] { sections.filter { $0.path != Section.overview.path } }

  /// The page of a cell that has a page of its own: "cells/l0-c-5.html".
  static func cellPage(_ id: CellID) -> String { "cells/\(id.slug).html" }

  /// The explorer showing a cell: "explorer.html#l0-c-5".
  static func explorer(showing id: CellID) -> String { "\(Section.explorer.path)#\(id.slug)" }

  /// The page of a feature: "features/quote.html".
  static func featurePage(_ id: String) -> String { "features/\(id).html" }

  /// The section a page belongs to, for the navigation's "current" mark: a
  /// top-level page is its own section; `cells/…` and `features/…` belong to their index.
  static func section(of path: String) -> String {
    if path.hasPrefix("cells/") { return Section.cells.path }
    if path.hasPrefix("features/") { return Section.features.path }
    return path
  }
}
