import CharLSTM
import Foundation
import Interpretability

/// `index.html`: the model card, losses, accuracy, the loss plot, the best cells
/// and links to everything else.
struct OverviewPage {
  struct LossRow {
    let split: String
    let bits: String
    let nats: String
    let note: String
  }
  struct Link {
    let href: String
    let label: String
    let note: String
  }

  let heading: String
  let model: [KeyValue]
  let training: [KeyValue]
  let hasTraining: Bool
  let losses: [LossRow]
  let accuracy: [KeyValue]
  let analysisFacts: [KeyValue]
  let lossPlot: ImageRef?
  let gallery: [CellCard]
  let galleryNote: String
  let links: [Link]
  let downloads: [Link]
  /// Per feature, the best trained score against the best untrained one (empty without a control).
  let control: [ControlRow]
  let hasControl: Bool
  /// How the control was made, or that it was not run.
  let controlNote: String

  /// Cells shown in the gallery.
  static let galleryLimit = 12

  init(_ site: SiteData, lossPlot: ImageRef?) {
    let a = site.analysis
    let card = site.input.model
    let config = card.config
    let record = card.training
    heading =
      "What the cells of a \(config.numLayers) × \(config.hiddenSize) LSTM learned from \(record?.textName ?? a.textName)"

    model = card.modelFacts
    training = card.trainingFacts
    hasTraining = record != nil

    var losses: [LossRow] = []
    if let r = record {
      losses.append(
        LossRow(
          split: "train", bits: NumberFormat.bits(nats: r.finalTrainLoss),
          nats: NumberFormat.fixed(r.finalTrainLoss, 4),
          note: "all training batches, no dropout"))
      losses.append(
        LossRow(
          split: "validation", bits: NumberFormat.bits(nats: r.bestValLoss),
          nats: NumberFormat.fixed(r.bestValLoss, 4),
          note: "best evaluation"))
      losses.append(
        LossRow(
          split: "test", bits: NumberFormat.bits(nats: r.testLoss), nats: NumberFormat.fixed(r.testLoss, 4),
          note: "held-out split, once at the end"))
    }
    losses.append(
      LossRow(
        split: "report text", bits: NumberFormat.fixed(a.model.bitsPerChar, 3),
        nats: NumberFormat.fixed(a.model.natsPerChar, 4),
        note: "\(a.textName), \(NumberFormat.integer(a.model.characters)) predictions"))
    self.losses = losses
    accuracy = [
      KeyValue(key: "top-1 accuracy", value: NumberFormat.percent(a.model.top1Accuracy)),
      KeyValue(key: "top-5 accuracy", value: NumberFormat.percent(a.model.top5Accuracy)),
    ]
    analysisFacts = [
      KeyValue(
        key: "analysed text", value: "\(a.textName), \(NumberFormat.integer(a.textCharacters)) characters"),
      KeyValue(
        key: "recording",
        value: OverviewPage.recordingMethod(a)),
      KeyValue(key: "cells", value: "\(NumberFormat.integer(a.cells.count)) (c and h of every layer)"),
      KeyValue(
        key: "interpretable",
        value:
          "\(NumberFormat.percent(a.interpretableFraction)) of cells gain at least \(NumberFormat.fixed(a.interpretableThreshold, 2)) over the current character"
      ),
    ]
    self.lossPlot = lossPlot
    control = a.features.compactMap { ControlRow(site, feature: $0) }
    hasControl = !control.isEmpty
    controlNote = ControlRow.method(a)

    let shown = Array(site.ranked.prefix(OverviewPage.galleryLimit))
    gallery = shown.map(site.card)
    galleryNote =
      "The \(shown.count) best-ranked of \(NumberFormat.integer(site.ranked.count)) cells. Each snippet is the stretch of text where the cell is most positive; the boxed character is where it peaks."

    links = SiteMap.linkedFromOverview.map { Link(href: $0.path, label: $0.linkLabel, note: $0.summary) }
    downloads = [
      Link(
        href: "cells.csv", label: "cells.csv",
        note: "one row per cell: rank, role, best feature, scores, statistics"),
      Link(
        href: "analysis.json", label: "analysis.json", note: "the whole analysis, for pandas or json.load"),
    ]
  }

  /// How the values were recorded, and for stitched streams how close to the exact recording.
  static func recordingMethod(_ a: Analysis) -> String {
    switch a.mode {
    case "fast":
      return
        "fast (approximate): \(a.streams) streams, \(NumberFormat.integer(a.warmup)) warm-up characters each"
    case "stitched":
      guard let s = a.stitching else { return "stitched: \(a.streams) streams" }
      return
        "exact by stitching: \(a.streams) streams, each starting from the state the one before it ends with; "
        + "largest boundary difference \(String(format: "%.1e", s.maxBoundaryDifference)) "
        + "(tolerance \(String(format: "%.0e", s.tolerance))), \(s.streamsReadWhole) of \(s.streams) streams read whole"
    default:
      let replay =
        a.config.hiddenSize >= RecorderOptions().batchedReplayFromHidden
        ? "the window pass re-reads the characters around the windows as batched streams, from states the first pass kept, the same values to float rounding"
        : "the window pass re-reads the characters around the windows from states the first pass kept, the same values"
      return
        "exact: one stream from the first character, one character at a time (boundary difference 0: \(replay))"
    }
  }
}
