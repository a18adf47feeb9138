import CharLSTM
import Interpretability
import Plotting

/// The samples page's "emergence" section: each feature's best score against
/// the training step, from the history the trainer's probe left in the
/// checkpoint, and when each binary feature's best cell first got good.
struct EmergenceSection {
  /// One "first passed" sentence.
  struct Milestone {
    let text: String
  }

  /// The figure, or nil when the history has no emergence points.
  let plot: ImageRef?
  let milestones: [Milestone]
  /// Why there is no plot (nil when there is one).
  let absentNote: String?

  /// The AUC a binary feature's best cell must exceed for a milestone sentence.
  static let threshold = 0.9
  /// Features shown, in this order: the structural ones a reader looks for
  /// first, eight so that every line keeps its own colour; the character classes
  /// are left out (the current character alone scores them).
  static let shownFeatures = [
    "in_double_quotes", "in_url", "in_wiki_link", "in_xml_tag", "in_comment", "line_position", "indent",
    "paren_depth",
  ]
  static let size = (width: 880, height: 400)
  static let src = "img/emergence.png"

  init(record: TrainingRecord?, plot: ImageRef?) {
    self.plot = plot
    let points = record?.emergence ?? []
    milestones = Self.milestones(points).map { Milestone(text: $0) }
    if plot != nil {
      absentNote = nil
    } else if record == nil {
      absentNote =
        "This model was trained elsewhere: its checkpoint has no training history, so there is no plot of how its cells emerged."
    } else if points.isEmpty {
      absentNote =
        "No emergence plot: this model was trained without scoring its cells at each evaluation (an older cellscope, or --no-emergence)."
    } else {
      absentNote =
        "No emergence plot: none of the plotted features occurs in the validation slice the trainer scored."
    }
  }

  /// Per shown binary feature whose best score passed `threshold`: "The best
  /// in-double-quotes cell's AUC first passed 0.9 at step 1,200 (L1 c 37, AUC 0.93)."
  /// Features that never pass get no sentence.
  static func milestones(_ points: [EmergencePoint]) -> [String] {
    let sorted = points.sorted { $0.step < $1.step }
    return shownFeatures.compactMap { id -> String? in
      for p in sorted {
        guard let f = p.features.first(where: { $0.feature == id }), f.kind == "binary" else { continue }
        if f.score > threshold {
          let name = TextFeatures.feature(id: id)?.name ?? id
          let cell = "L\(f.layer) \(f.state) \(f.index)"
          return
            "The best “\(name)” cell's AUC first passed \(NumberFormat.fixed(threshold, 1)) at step \(NumberFormat.integer(p.step)) (\(cell), AUC \(NumberFormat.fixed(f.score, 2)))."
        }
      }
      return nil
    }
  }

  /// One series per shown feature present in the history: best score (AUC for
  /// binary features, |r| or correlation ratio for graded ones) at each step.
  static func series(_ points: [EmergencePoint]) -> [LinePlot.Series] {
    let sorted = points.sorted { $0.step < $1.step }
    return shownFeatures.compactMap { id -> LinePlot.Series? in
      let xy = sorted.compactMap { p -> (x: Double, y: Double)? in
        p.features.first { $0.feature == id }.map { (x: Double(p.step), y: $0.score) }
      }
      guard !xy.isEmpty else { return nil }
      let name = TextFeatures.feature(id: id)?.name ?? id
      return LinePlot.Series(name: name, points: xy, style: xy.count > 1 ? .bold : .markers(.circle))
    }
  }

  /// The figure, or nil without emergence points for the shown features.
  static func figure(_ record: TrainingRecord?) -> SitePlots.Figure? {
    let series = series(record?.emergence ?? [])
    guard !series.isEmpty else { return nil }
    let plot = LinePlot(
      title: "Best cell per feature during training", xLabel: "training step",
      yLabel: "best score (AUC, or |r| for graded features)", series: series, yDomain: 0...1,
      width: size.width, height: size.height)
    let ref = ImageRef(
      src: src, width: size.width, height: size.height,
      alt:
        "For each feature, the best cell's score on a slice of the validation text at each evaluation, against the training step"
    )
    return SitePlots.Figure(ref: ref, png: plot.png)
  }
}
