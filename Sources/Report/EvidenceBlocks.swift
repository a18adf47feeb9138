import Foundation
import Interpretability

// The page blocks for the evidence beyond correlation (issues 13 and 14): the untrained control,
// mean ablation, sparse probes and automatic descriptions. Each block is nil when the analysis
// does not hold the evidence (an older analysis, or a step switched off); pages then show the
// block's `note`, one sentence, instead of an empty table.

/// A feature's best trained score beside the best score of an untrained network of the same shape.
struct ControlRow {
  let href: String
  let name: String
  /// "AUC" or "|r|".
  let measure: String
  let trained: String
  let untrained: String
  /// trained − untrained, signed: "what training made".
  let difference: String
  /// The untrained cell that reaches `untrained` ("" when the feature never varied).
  let untrainedCell: String

  /// nil when the analysis has no control.
  init?(_ site: SiteData, feature f: FeatureSummary) {
    guard let control = site.analysis.control?.feature(f.id) else { return nil }
    let trained = ControlRow.bestTrainedScore(site, feature: f)
    href = site.href(feature: f.id)
    name = f.name
    measure = f.kind == "binary" ? "AUC" : "|r|"
    self.trained = NumberFormat.fixed(trained, 3)
    untrained = NumberFormat.fixed(control.score, 3)
    difference = trained.map { NumberFormat.signed($0 - control.score, 3) } ?? NumberFormat.missing
    untrainedCell = control.bestCell?.description ?? ""
  }

  /// The best trained cell's score on the feature (the first of `bestCells`), nil without one.
  static func bestTrainedScore(_ site: SiteData, feature f: FeatureSummary) -> Double? {
    f.bestCells.first.flatMap { site.cellByID[$0] }.flatMap { site.score(of: $0, feature: f.id) }?.score
  }

  /// How the control was made, in one sentence; or why there is none.
  static func method(_ analysis: Analysis) -> String {
    guard let c = analysis.control else {
      return
        "Control not run: this analysis has no untrained network to compare with, so the scores show what the cells track, not what training made."
    }
    return
      "Control: the same recording and scoring on an untrained network of this shape, weights \(c.initialization), seed \(c.seed), over the first \(NumberFormat.integer(c.characters)) characters of the text; “untrained” is the best score any of its cells reaches."
  }
}

/// What the model loses without one cell: its mean ablation.
struct AblationBlock {
  struct Row {
    let where_: String
    let predictions: String
    let nats: String
    let bits: String
  }
  let rows: [Row]
  let mean: String
  let method: String

  /// nil when the analysis has no ablation of this cell's (layer, index).
  init?(_ site: SiteData, cell: CellReport) {
    guard let summary = site.analysis.ablation,
      let r = summary.result(layer: cell.id.layer, index: cell.id.index)
    else { return nil }
    let ln2 = Foundation.log(2.0)
    func row(_ label: String, _ count: Int, _ nats: Double?) -> Row {
      Row(
        where_: label, predictions: NumberFormat.integer(count),
        nats: nats.map { NumberFormat.signed($0, 4) } ?? NumberFormat.missing,
        bits: nats.map { NumberFormat.signed($0 / ln2, 4) } ?? NumberFormat.missing)
    }
    var rows = [
      Row(
        where_: "every prediction", predictions: NumberFormat.integer(max(0, summary.characters - 1)),
        nats: NumberFormat.signed(r.deltaNats, 4), bits: NumberFormat.signed(r.deltaBits, 4))
    ]
    if let feature = r.feature {
      let name = site.featureName(feature)
      rows.append(row("where “\(name)” is on", r.positionsOn, r.deltaWhereOn))
      rows.append(row("where “\(name)” switches off", r.positionsSwitchOff, r.deltaAtSwitchOff))
    }
    self.rows = rows
    mean = NumberFormat.signed(r.mean, 3)
    method =
      "Mean ablation over the first \(NumberFormat.integer(summary.characters)) characters: at every step the c of cell \(r.index) of layer \(r.layer) is held at m = \(NumberFormat.signed(r.mean, 3)), its mean over the same text, and its h at o·tanh(m); Δ is the mean increase of −ln p(next character) over the predictions listed (the model’s own loss there: \(NumberFormat.fixed(summary.baselineNats, 4)) nats per character overall)."
  }

  /// Why a cell page has no ablation block.
  static func note(_ analysis: Analysis) -> String {
    analysis.ablation == nil
      ? "Ablation not run: this analysis does not say whether the model uses this cell."
      : "This cell was not among the cells ablated."
  }
}

/// How many cells carry a feature: the probe plot, its verdict and the scores.
struct ProbeBlock {
  struct Row {
    let k: String
    let score: String
    let cells: String
  }
  let plot: ImageRef
  let summary: String
  let verdict: String
  let measure: String
  let rows: [Row]

  init(_ site: SiteData, result: ProbeResult, plot: ImageRef) {
    self.plot = plot
    summary = result.summary
    verdict = result.verdict.rawValue
    measure = result.kind == "binary" ? "held-out AUC" : "held-out r"
    rows = result.steps.map { step in
      Row(
        k: step.allCells ? "all \(NumberFormat.integer(step.k))" : "\(step.k)",
        score: NumberFormat.fixed(step.score, 3),
        cells: step.allCells
          ? "every cell"
          : step.cells.map {
            $0 < site.analysis.cellOrder.count ? site.analysis.cellOrder[$0].description : "?"
          }
          .joined(separator: ", "))
    }
  }

  /// The probe result of a feature, or the sentence the page shows instead.
  static func lookup(_ analysis: Analysis, feature id: String) -> (result: ProbeResult?, note: String) {
    guard let probes = analysis.probes else {
      return (nil, "Probes not run: this analysis does not say how many cells carry the feature.")
    }
    if let r = probes.first(where: { $0.feature == id }) { return (r, "") }
    return (nil, "No probe: " + (analysis.probeFailures?[id] ?? "the feature was not probed."))
  }
}

/// A cell no feature explains, described by the characters that precede its active positions.
struct DescriptionBlock {
  struct Row {
    let pattern: String
    let precision: String
    let recall: String
    let f1: String
    let matches: String
  }
  let sentence: String
  /// True when the best pattern's held-out F1 reaches the threshold (the sentence is in the role).
  let convincing: Bool
  let active: String
  let rows: [Row]
  let method: String

  init?(_ site: SiteData, cell: CellReport) {
    guard let d = cell.description else { return nil }
    sentence = d.sentence
    convincing = (d.patterns.first?.f1 ?? 0) >= Analyzer.describedF1
    active =
      d.direction == "high"
      ? "at least \(NumberFormat.signed(d.threshold, 3)) (half its maximum)"
      : "at most \(NumberFormat.signed(d.threshold, 3)) (half its minimum)"
    rows = d.patterns.map { p in
      Row(
        pattern: p.pattern, precision: NumberFormat.fixed(p.precision, 2),
        recall: NumberFormat.fixed(p.recall, 2),
        f1: NumberFormat.fixed(p.f1, 2), matches: NumberFormat.integer(p.heldOutMatches))
    }
    let characters = site.analysis.descriptionCharacters ?? (d.fitPositions + d.heldOutPositions)
    method =
      "Over the first \(NumberFormat.integer(characters)) characters, in alternating blocks: patterns (the 1 to 8 characters just read) are chosen on one half and scored here on the other, \(NumberFormat.integer(d.heldOutPositions)) positions of which \(NumberFormat.integer(d.heldOutActive)) active."
  }
}

/// Both values, or nil.
func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
  guard let a, let b else { return nil }
  return (a, b)
}
