import CharLSTM
import Interpretability

/// `cells.html`: every cell in one table, by rank. It reads and links without
/// JavaScript; `site.js` adds sorting by any column and filtering by feature and
/// layer, reading the `data-*` attributes written here.
struct CellsTablePage {
  struct Row {
    let rank: String
    let href: String
    let hasPage: Bool
    let label: String
    let layer: String
    let state: String
    let index: String
    let role: String
    let feature: String
    let featureName: String
    let score: String
    let gain: String
    let selectivity: String
    let saturation: String
    let memory: String
    /// Mean ablation Δ in nats per character; "" when the cell was not ablated (sorts last).
    let ablation: String
    /// nil when the cell has no tags (so the template's section is skipped).
    let tags: String?
    let interpretable: Bool
  }
  struct Option {
    let value: String
    let label: String
  }

  let rows: [Row]
  let features: [Option]
  let layers: [Option]
  let summary: String
  /// Whether the table has the ablation column (the analysis ran ablations).
  let hasAblation: Bool

  init(_ site: SiteData) {
    hasAblation = site.analysis.ablation != nil
    rows = site.ranked.map { c in
      let best = c.best
      return Row(
        rank: "\(c.rank)", href: site.href(c.id), hasPage: site.pagedIDs.contains(c.id),
        label: c.id.description,
        layer: "\(c.id.layer)", state: c.id.state.rawValue, index: "\(c.id.index)", role: c.role,
        feature: best?.feature ?? "", featureName: best.map { site.featureName($0.feature) } ?? "",
        score: NumberFormat.fixed(best?.score, 3),
        gain: best.map { NumberFormat.signed($0.gain, 3) } ?? NumberFormat.missing,
        selectivity: NumberFormat.fixed(c.selectivity, 2),
        saturation: NumberFormat.percent(c.saturation),
        memory: NumberFormat.fixed(c.autocorrelation, 2),
        ablation: c.ablationDelta.map { NumberFormat.signed($0, 4) } ?? "",
        tags: c.tags.isEmpty ? nil : c.tags.joined(separator: ", "), interpretable: c.interpretable)
    }
    let used = Set(site.ranked.compactMap { $0.best?.feature })
    features = site.analysis.features.filter { used.contains($0.id) }.map {
      Option(value: $0.id, label: $0.name)
    }
    layers = (0..<site.analysis.config.numLayers).map { Option(value: "\($0)", label: "layer \($0)") }
    let pages = site.paged.count
    summary =
      "\(NumberFormat.integer(rows.count)) cells (c and h of \(site.analysis.config.numLayers) layers of \(site.analysis.config.hiddenSize)), ranked by their best feature's score; the top \(NumberFormat.integer(pages)), in bold, have pages of their own; the others open in the explorer."
  }
}

/// `cells/<slug>.html`: one cell in depth — the excerpt coloured by it, the
/// windows where it is highest and lowest, samples from quantile bands, its
/// histogram, its score against every feature and its gates' saturation, with
/// previous/next/up links (keys j/k or arrows, and u, in `site.js`).
struct CellPage {
  struct NavLink {
    let href: String
    let label: String
  }
  struct Band {
    let label: String
    let range: String
    let windows: [WindowView]
  }
  struct ScoreRow {
    let href: String
    let name: String
    let kind: String
    let score: String
    let signed: String
    let gain: String
    let best: Bool
  }
  struct GateRow {
    let gate: String
    let left: String
    let right: String
    let note: String
  }

  let label: String
  let rank: String
  let total: String
  let role: String
  let tags: [String]
  let interpretable: Bool
  let stats: [KeyValue]
  let prev: NavLink?
  let next: NavLink?
  let explorerHref: String
  let excerpt: TextBlock
  let histogram: ImageRef
  let top: [WindowView]
  let bottom: [WindowView]
  let bands: [Band]
  let scores: [ScoreRow]
  let gates: [GateRow]
  let hasGates: Bool
  let quantity: String
  /// What the model loses without the cell (nil: not ablated; `ablationNote` says why).
  let ablation: AblationBlock?
  let ablationNote: String
  /// The automatic description of a cell no feature explains (nil: not described).
  let cellDescription: DescriptionBlock?

  /// - Parameter position: the cell's index in `site.paged`.
  init(_ site: SiteData, position: Int, histogram: ImageRef) {
    let cell = site.paged[position]
    label = cell.id.description
    rank = "\(cell.rank)"
    total = NumberFormat.integer(site.ranked.count)
    role = cell.role
    tags = cell.tags
    interpretable = cell.interpretable
    quantity = cell.id.state == .c ? "tanh(c)" : "h"
    stats = [
      KeyValue(key: "mean", value: NumberFormat.signed(cell.mean, 3)),
      KeyValue(key: "std", value: NumberFormat.fixed(cell.std, 3)),
      KeyValue(
        key: "min … max", value: "\(NumberFormat.signed(cell.min, 2)) … \(NumberFormat.signed(cell.max, 2))"),
      KeyValue(key: "saturated (|v| > 0.9)", value: NumberFormat.percent(cell.saturation)),
      KeyValue(key: "selectivity", value: NumberFormat.fixed(cell.selectivity, 2)),
      KeyValue(key: "memory (lag-1 autocorrelation)", value: NumberFormat.fixed(cell.autocorrelation, 2)),
    ]
    prev = position > 0 ? CellPage.link(site.paged[position - 1]) : nil
    next = position + 1 < site.paged.count ? CellPage.link(site.paged[position + 1]) : nil
    explorerHref = "explorer.html#\(cell.id.slug)"
    let shown = min(SiteData.cellExcerptLength, site.excerptUnits.count)
    excerpt = TextBlock(
      runs: site.excerptRuns(of: cell.id, length: shown), note: site.excerptNote(shown: shown))
    self.histogram = histogram
    top = cell.topWindows.map(site.window)
    bottom = cell.bottomWindows.map(site.window)
    bands = cell.bands.map { b in
      Band(
        label: b.label, range: "\(NumberFormat.signed(b.lower, 2)) … \(NumberFormat.signed(b.upper, 2))",
        windows: b.windows.map(site.window))
    }
    scores = site.analysis.features.map { f in
      let s = site.score(of: cell, feature: f.id)
      return ScoreRow(
        href: site.href(feature: f.id), name: f.name, kind: f.kind == "binary" ? "AUC" : "|r|",
        score: NumberFormat.fixed(s?.score, 3),
        signed: s.map { NumberFormat.fixed($0.signed, 3) } ?? NumberFormat.missing,
        gain: s.map { NumberFormat.signed($0.gain, 3) } ?? NumberFormat.missing,
        best: cell.best?.feature == f.id)
    }
    let names = ["i": "input gate i", "f": "forget gate f", "o": "output gate o"]
    let notes = [
      "i": "right-saturated: writes its input into the cell",
      "f": "right-saturated: remembers; left-saturated: resets",
      "o": "right-saturated: shows the cell in h",
    ]
    gates = ["i", "f", "o"].compactMap { gate in
      guard let g = site.analysis.gates.first(where: { $0.layer == cell.id.layer && $0.gate == gate }),
        cell.id.index < g.left.count, cell.id.index < g.right.count
      else { return nil }
      return GateRow(
        gate: names[gate]!, left: NumberFormat.percent(g.left[cell.id.index]),
        right: NumberFormat.percent(g.right[cell.id.index]),
        note: notes[gate]!)
    }
    hasGates = !gates.isEmpty
    ablation = AblationBlock(site, cell: cell)
    ablationNote = AblationBlock.note(site.analysis)
    cellDescription = DescriptionBlock(site, cell: cell)
  }

  private static func link(_ c: CellReport) -> NavLink {
    NavLink(href: SiteMap.cellPage(c.id), label: "\(c.id.description) (#\(c.rank))")
  }
}
