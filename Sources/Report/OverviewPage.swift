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

  /// Cells shown in the gallery.
  static let galleryLimit = 12

  init(_ site: SiteData, lossPlot: ImageRef?) {
    let a = site.analysis
    let c = site.input.checkpoint
    let config = c.config
    let record = c.training
    heading =
      "What the cells of a \(config.numLayers) × \(config.hiddenSize) LSTM learned from \(record?.textName ?? a.textName)"

    let input = config.embeddingSize > 0 ? "embedding of \(config.embeddingSize)" : "one-hot"
    model = [
      KeyValue(key: "layers × cells", value: "\(config.numLayers) × \(config.hiddenSize) LSTM"),
      KeyValue(key: "input", value: input),
      KeyValue(key: "parameters", value: Fmt.integer(ParameterLayout(config).count)),
      KeyValue(
        key: "vocabulary",
        value: "\(Fmt.integer(c.vocabulary.count)) \(c.vocabulary.kind == .bytes ? "bytes" : "characters")"),
      KeyValue(key: "dropout", value: Fmt.fixed(config.dropout, 2)),
    ]

    hasTraining = record != nil
    if let r = record {
      let o = r.options
      training = [
        KeyValue(key: "training text", value: r.textName),
        KeyValue(key: "text size", value: "\(Fmt.integer(r.textCharacters)) characters"),
        KeyValue(key: "text SHA-256", value: r.textSHA256),
        KeyValue(key: "split (train / val / test)", value: OverviewPage.split(o)),
        KeyValue(key: "steps", value: Fmt.integer(r.step)),
        KeyValue(key: "epochs", value: Fmt.fixed(r.epoch, 2)),
        KeyValue(
          key: "optimizer", value: "\(o.optimizer.rawValue), learning rate \(Fmt.rate(o.learningRate))"),
        KeyValue(
          key: "learning-rate decay",
          value:
            "× \(Fmt.fixed(o.lrDecay, 2)) per epoch after epoch \(o.lrDecayAfter); now \(Fmt.rate(r.learningRate))"
        ),
        KeyValue(key: "batch × sequence", value: "\(o.batchSize) × \(o.seqLength)"),
        KeyValue(key: "gradient clip", value: Fmt.fixed(o.gradClip, 1)),
        KeyValue(key: "seed", value: "\(o.seed)"),
      ]
    } else {
      training = []
    }

    var losses: [LossRow] = []
    if let r = record {
      losses.append(
        LossRow(
          split: "train", bits: Fmt.bits(nats: r.finalTrainLoss), nats: Fmt.fixed(r.finalTrainLoss, 4),
          note: "all training batches, no dropout"))
      losses.append(
        LossRow(
          split: "validation", bits: Fmt.bits(nats: r.bestValLoss), nats: Fmt.fixed(r.bestValLoss, 4),
          note: "best evaluation"))
      losses.append(
        LossRow(
          split: "test", bits: Fmt.bits(nats: r.testLoss), nats: Fmt.fixed(r.testLoss, 4),
          note: "held-out split, once at the end"))
    }
    losses.append(
      LossRow(
        split: "report text", bits: Fmt.fixed(a.model.bitsPerChar, 3),
        nats: Fmt.fixed(a.model.natsPerChar, 4),
        note: "\(a.textName), \(Fmt.integer(a.model.characters)) predictions"))
    self.losses = losses
    accuracy = [
      KeyValue(key: "top-1 accuracy", value: Fmt.percent(a.model.top1Accuracy)),
      KeyValue(key: "top-5 accuracy", value: Fmt.percent(a.model.top5Accuracy)),
    ]
    analysisFacts = [
      KeyValue(key: "analysed text", value: "\(a.textName), \(Fmt.integer(a.textCharacters)) characters"),
      KeyValue(
        key: "recording",
        value: OverviewPage.recordingMethod(a)),
      KeyValue(key: "cells", value: "\(Fmt.integer(a.cells.count)) (c and h of every layer)"),
      KeyValue(
        key: "interpretable",
        value:
          "\(Fmt.percent(a.interpretableFraction)) of cells gain at least \(Fmt.fixed(a.interpretableThreshold, 2)) over the current character"
      ),
    ]
    self.lossPlot = lossPlot

    let shown = Array(site.ranked.prefix(OverviewPage.galleryLimit))
    gallery = shown.map(site.card)
    galleryNote =
      "The \(shown.count) best-ranked of \(Fmt.integer(site.ranked.count)) cells. Each snippet is the stretch of text where the cell is most positive; the boxed character is where it peaks."

    links = [
      Link(
        href: "cells.html", label: "All cells",
        note: "every cell ranked, with its role, scores and saturation"),
      Link(
        href: "predictions.html", label: "Predictions",
        note: "the top five guesses under each character, and how surprising each character was"),
      Link(
        href: "features.html", label: "Features",
        note: "the properties of text the cells are scored against, with the best cells for each"),
      Link(
        href: "samples.html", label: "Samples",
        note: "text the model writes at several temperatures, and during training"),
      Link(
        href: "gates.html", label: "Gates",
        note: "how often each gate is saturated, after Karpathy et al. (2015)"),
      Link(
        href: "explorer.html", label: "Explorer",
        note: "any cell over the excerpt; select text to find the cells that mark it"),
    ]
    downloads = [
      Link(
        href: "cells.csv", label: "cells.csv",
        note: "one row per cell: rank, role, best feature, scores, statistics"),
      Link(
        href: "analysis.json", label: "analysis.json", note: "the whole analysis, for pandas or json.load"),
    ]
  }

  private static func split(_ o: TrainingOptions) -> String {
    let test = max(0, 1 - o.trainFrac - o.valFrac)
    return "\(Fmt.percent(o.trainFrac, 0)) / \(Fmt.percent(o.valFrac, 0)) / \(Fmt.percent(test, 0))"
  }

  /// How the values were recorded, and for stitched streams how close to the exact recording.
  static func recordingMethod(_ a: Analysis) -> String {
    switch a.mode {
    case "fast":
      return "fast (approximate): \(a.streams) streams, \(Fmt.integer(a.warmup)) warm-up characters each"
    case "stitched":
      guard let s = a.stitching else { return "stitched: \(a.streams) streams" }
      return
        "exact by stitching: \(a.streams) streams, each starting from the state the one before it ends with; "
        + "largest boundary difference \(String(format: "%.1e", s.maxBoundaryDifference)) "
        + "(tolerance \(String(format: "%.0e", s.tolerance))), \(s.streamsReadWhole) of \(s.streams) streams read whole"
    default:
      return "exact: one pass in order"
    }
  }
}
