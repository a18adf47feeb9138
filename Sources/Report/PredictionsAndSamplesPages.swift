import CharLSTM
import Foundation
import Interpretability

/// `predictions.html`: Karpathy's picture of a char-RNN reading — every character
/// of the excerpt with the model's five guesses for the next one underneath,
/// shaded by probability and the right one boxed — and the surprisal view, each
/// character shaded by how unexpected it was, plus the most surprising places.
struct PredictionsPage {
  /// One guess in a column: the `topk` partial.
  struct Guess {
    let text: String
    let cls: String
    let hit: Bool
    let title: String
  }
  /// One character of the text and the guesses made after reading it.
  struct Column {
    let char: String
    let glyph: Bool
    let lineEnd: Bool
    let guesses: [Guess]
  }
  struct Surprise {
    let position: String
    let bits: String
    let runs: [TextRun]
  }

  let columns: [Column]
  let gridNote: String
  let surprisal: TextBlock
  let surprises: [Surprise]
  let bitsPerChar: String

  /// Characters in the top-5 grid (each is a column of six boxes).
  static let gridLength = 800
  /// Characters in the surprisal view.
  static let surprisalLength = 3000
  /// Surprisal, in bits, that gets the darkest shade.
  static let surprisalCeiling = 8.0

  init(_ site: SiteData) {
    let e = site.analysis.excerpt
    let kind = site.vocabularyKind
    let n = min(PredictionsPage.gridLength, e.symbols.count, e.topSymbols.count, e.topProbs.count)
    let units = site.excerptUnits
    columns = (0..<n).map { t in
      let next: UInt32? = t + 1 < e.symbols.count ? e.symbols[t + 1] : nil
      let guesses = zip(e.topSymbols[t], e.topProbs[t]).map { symbol, p -> Guess in
        let shown = SymbolDisplay.units([symbol], kind: kind, lineBreaks: false)[0].visible
        return Guess(
          text: shown, cls: ColorClasses.sequentialClass(ColorClasses.sequential(Double(p))),
          hit: symbol == next,
          title: NumberFormat.percent(Double(p)))
      }
      let u = units[t]
      return Column(
        char: u.glyph.isEmpty ? (u.text == " " ? "␣" : u.text) : u.glyph,
        glyph: !u.glyph.isEmpty || u.text == " ",
        lineEnd: u.text == "\n", guesses: guesses)
    }
    gridNote = site.excerptNote(shown: n)

    let m = min(PredictionsPage.surprisalLength, e.symbols.count, units.count)
    let shades = (0..<m).map { i -> Double in
      guard i > 0, i - 1 < e.loss.count else { return 0 }
      return Double(e.loss[i - 1]) / log(2.0) / PredictionsPage.surprisalCeiling
    }
    surprisal = TextBlock(
      runs: ColoredText.sequentialRuns(Array(units.prefix(m)), values: shades),
      note: site.excerptNote(shown: m))

    surprises = site.analysis.model.surprises.prefix(20).map { s in
      let w = s.context
      let wu = SymbolDisplay.units(w.symbols, kind: kind, lineBreaks: false)
      let classes = wu.indices.map { $0 == w.focus ? "s20" : "s0" }
      return Surprise(
        position: NumberFormat.integer(s.position), bits: NumberFormat.fixed(s.nats / log(2.0), 2),
        runs: ColoredText.runs(wu, classes: classes, focus: w.focus < wu.count ? w.focus : nil))
    }
    bitsPerChar = NumberFormat.fixed(site.analysis.model.bitsPerChar, 3)
  }
}

/// `samples.html`: text the model writes at each temperature, and the samples
/// taken during training, so the reader sees it learn words, then quotes, then lines.
struct SamplesPage {
  struct Sample {
    let label: String
    /// nil when the label says it all.
    let note: String?
    let text: String
  }
  let temperatures: [Sample]
  let history: [Sample]
  let hasHistory: Bool
  let historyNote: String
  /// How each feature's best cell scored at each evaluation, beside the samples.
  let emergence: EmergenceSection

  init(_ site: SiteData, emergencePlot: ImageRef? = nil) {
    temperatures = site.input.samples.map { s in
      Sample(
        label: s.label,
        note: s.temperature == nil ? "the most likely character every time" : nil,
        text: SamplesPage.trimmed(s.text))
    }
    let record = site.input.model.training
    emergence = EmergenceSection(record: record, plot: emergencePlot)
    let evaluations = record?.evaluations ?? []
    history = (record?.samples ?? []).sorted { $0.step < $1.step }.map { s in
      let e = evaluations.first { $0.step == s.step }
      let epoch =
        record.map { r in r.batchesPerEpoch > 0 ? Double(s.step) / Double(r.batchesPerEpoch) : 0 } ?? 0
      var note = "epoch \(NumberFormat.fixed(epoch, 2))"
      if let e { note += ", validation loss \(NumberFormat.bits(nats: e.valLoss)) bits/char" }
      return Sample(
        label: "step \(NumberFormat.integer(s.step))", note: note, text: SamplesPage.trimmed(s.text))
    }
    hasHistory = !history.isEmpty
    historyNote =
      record == nil
      ? "This model was trained elsewhere: its checkpoint carries no samples from training."
      : "No samples were taken during this model's training."
  }

  /// The text without trailing whitespace, which would only show as an empty box.
  static func trimmed(_ text: String) -> String {
    var scalars = Substring(text).unicodeScalars
    while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
    return String(scalars)
  }
}
