import Interpretability

/// `features.html`: every feature the cells were scored against, with its best cell.
struct FeaturesIndexPage {
  struct Row {
    let href: String
    let id: String
    let name: String
    let kind: String
    let mean: String
    let baseline: String
    let bestHref: String
    /// nil when the feature has no best cell.
    let bestLabel: String?
    let bestScore: String
    /// The control's columns (nil without a control).
    let control: ControlRow?
  }
  let rows: [Row]
  let hasControl: Bool
  /// How the control was made, or that it was not run.
  let controlNote: String

  init(_ site: SiteData) {
    rows = site.analysis.features.map { f in
      let best = f.bestCells.first.flatMap { site.cellByID[$0] }
      let score = best.flatMap { site.score(of: $0, feature: f.id) }
      return Row(
        href: site.href(feature: f.id), id: f.id, name: f.name, kind: f.kind,
        mean: f.kind == "binary" ? NumberFormat.percent(f.mean) : NumberFormat.fixed(f.mean, 2),
        baseline: NumberFormat.fixed(f.characterBaseline, 3), bestHref: best.map { site.href($0.id) } ?? "",
        bestLabel: best?.id.description, bestScore: NumberFormat.fixed(score?.score, 3),
        control: ControlRow(site, feature: f))
    }
    hasControl = site.analysis.control != nil
    controlNote = ControlRow.method(site.analysis)
  }
}

/// `features/<id>.html`: a feature's definition, the excerpt with the feature
/// shaded, the best cell over the same text, and the best cells with their scores.
struct FeaturePage {
  struct CellRow {
    let href: String
    let label: String
    let role: String
    let score: String
    let signed: String
    let gain: String
  }

  let id: String
  let name: String
  let kind: String
  let definition: String
  let facts: [KeyValue]
  let excerpt: TextBlock
  let bestLabel: String
  let bestHref: String
  let bestExcerpt: TextBlock?
  let cells: [CellRow]
  let maxLabel: String
  /// Trained against untrained (nil without a control; `controlNote` says so).
  let control: ControlRow?
  let controlNote: String
  /// How many cells carry the feature (nil: not probed; `probeNote` says why).
  let probe: ProbeBlock?
  let probeNote: String

  /// - Parameter probePlot: the probe figure, when the analysis has a probe of this feature.
  init(_ site: SiteData, feature f: FeatureSummary, index: Int, probePlot: ImageRef? = nil) {
    id = f.id
    name = f.name
    kind = f.kind
    definition = f.definition
    let binary = f.kind == "binary"
    facts = [
      KeyValue(key: "kind", value: binary ? "binary (scored by ROC AUC)" : "graded (scored by |Pearson r|)"),
      KeyValue(
        key: binary ? "on at" : "mean",
        value: binary ? NumberFormat.percent(f.mean) + " of positions" : NumberFormat.fixed(f.mean, 2)),
      KeyValue(key: "standard deviation", value: NumberFormat.fixed(f.std, 3)),
      KeyValue(key: "current character alone", value: NumberFormat.fixed(f.characterBaseline, 3)),
    ]
    let values = index < site.analysis.excerpt.features.count ? site.analysis.excerpt.features[index] : []
    let range = FeaturePage.liveliest(values, length: SiteData.featureExcerptLength, units: site.excerptUnits)
    let top = values[range].map { Double($0) }.filter(\.isFinite).max() ?? 1
    let scale = top > 0 ? top : 1
    maxLabel = binary ? "1" : NumberFormat.fixed(scale, 0)
    let total = site.excerptUnits.count
    let note =
      range.count < total
      ? "Characters \(NumberFormat.integer(range.lowerBound + 1))–\(NumberFormat.integer(range.upperBound)) of the excerpt's \(NumberFormat.integer(total)), where the feature changes most often."
      : site.excerptNote(shown: total)
    excerpt = TextBlock(
      runs: ColoredText.sequentialRuns(
        Array(site.excerptUnits[range]), values: values[range].map { Double($0) / scale }),
      note: note)
    let best = f.bestCells.first.flatMap { site.cellByID[$0] }
    bestLabel = best?.id.description ?? ""
    bestHref = best.map { site.href($0.id) } ?? ""
    bestExcerpt = best.map { TextBlock(runs: site.excerptRuns(of: $0.id, range: range), note: note) }
    cells = f.bestCells.compactMap { site.cellByID[$0] }.map { c in
      let s = site.score(of: c, feature: f.id)
      return CellRow(
        href: site.href(c.id), label: c.id.description, role: c.role, score: NumberFormat.fixed(s?.score, 3),
        signed: s.map { NumberFormat.fixed($0.signed, 3) } ?? NumberFormat.missing,
        gain: s.map { NumberFormat.signed($0.gain, 3) } ?? NumberFormat.missing)
    }
    control = ControlRow(site, feature: f)
    controlNote = ControlRow.method(site.analysis)
    let probed = ProbeBlock.lookup(site.analysis, feature: f.id)
    probe = zip2(probed.result, probePlot).map { ProbeBlock(site, result: $0, plot: $1) }
    probeNote = probed.note
  }

  /// The stretch of `length` characters (starting at a line start where possible)
  /// in which the feature's value changes most often, so that its page shows the
  /// feature at work rather than a stretch where it is constant. Earliest on ties.
  static func liveliest(_ values: [Float], length: Int, units: [DisplayUnit]) -> Range<Int> {
    let n = min(values.count, units.count)
    guard n > length else { return 0..<n }
    var changes = [0]  // changes[i]: value changes before position i
    changes.reserveCapacity(n + 1)
    for i in 0..<n { changes.append(changes[i] + (i > 0 && values[i] != values[i - 1] ? 1 : 0)) }
    var best = 0
    var bestCount = -1
    for start in stride(from: 0, through: n - length, by: 25) {
      let count = changes[start + length] - changes[start]
      if count > bestCount { (best, bestCount) = (start, count) }
    }
    // Back up to the start of the line, if it is near.
    var start = best
    while start > 0, best - start < 80, units[start - 1].text != "\n" { start -= 1 }
    if start > 0, units[start - 1].text != "\n" { start = best }
    return start..<min(n, start + length)
  }
}
