import Foundation
import Interpretability
import Plotting

/// `memory.html`, "What memory buys": the LSTM against a character n-gram model trained
/// on the same text (bits per character, the text shaded by the per-character loss
/// difference, loss on closing brackets by distance to the opener) and the error
/// taxonomy of Karpathy, Johnson & Fei-Fei (2015). Without a `MemoryReport` the page
/// holds one sentence saying why.
struct MemoryPage {
  struct CloserRow {
    let distance: String
    let count: String
    let lstm: String
    let ngram: String
  }
  struct ErrorRow {
    let id: String
    let name: String
    let definition: String
    let count: String
    let share: String
    let examples: [Example]
  }
  struct Example {
    let runs: [TextRun]
    let position: String
    let difference: String
  }
  /// Shaded text for the `ctext` partial, which reads `runs`.
  struct Shaded {
    let runs: [TextRun]
  }
  struct OrderRow {
    let order: String
    let count: String
    let share: String
  }

  /// Characters of the scored text shown shaded on the page.
  static let excerptLength = 3000
  /// Characters shown before and after each error example.
  static let exampleContext = (before: 40, after: 16)
  /// The shading saturates at this many bits of difference either way.
  static let shadeBits = 4.0

  static let classNames: [String: (name: String, definition: String)] = [
    "ngram": (
      "n-gram",
      "the n-gram models of every order 1 to 9 also give the character probability below 0.5: a model that sees only the last few characters errs too"
    ),
    "dynamicMemory": (
      "dynamic memory",
      "the character and the 4 before it occurred earlier in the analysed text but fewer than 5 times in training: the model could have copied them from what it had just read"
    ),
    "rareWord": ("rare word", "inside a word (letters and digits) seen fewer than 5 times in training"),
    "wordStart": ("word start", "the first letter or digit of a word"),
    "punctuation": ("punctuation", "a punctuation mark or symbol"),
    "other": ("other", "everything else, whitespace included"),
  ]

  static let legend = Legend(
    caption:
      "LSTM loss minus n-gram loss on each character, in bits: blue where the LSTM did better, red where the n-gram model did",
    low: "−\(Int(shadeBits))", high: "+\(Int(shadeBits))",
    swatches: (0..<ColorClasses.levels).map(ColorClasses.divergingClass))

  let available: Bool
  let absentReason: String
  let lstmBits: String
  let ngramBits: String
  let gain: String
  let order: String
  let source: String
  let trainingCharacters: String
  let scoredCharacters: String
  let truncated: Bool
  let excerpt: Shaded?
  let excerptCharacters: String
  let closerPlot: ImageRef?
  let closers: [CloserRow]
  let unmatched: String
  let errorPlot: ImageRef?
  let errorCount: String
  let errorThreshold: String
  let errors: [ErrorRow]
  let byOrder: [OrderRow]

  init(_ site: SiteData, closerPlot: ImageRef?, errorPlot: ImageRef?) {
    self.closerPlot = closerPlot
    self.errorPlot = errorPlot
    guard let m = site.input.memory else {
      available = false
      absentReason =
        "This report has no n-gram comparison: the model's training text was not given (run or demo the model, or give report --ngram-train FILE)."
      (lstmBits, ngramBits, gain, order, source) = ("", "", "", "", "")
      (trainingCharacters, scoredCharacters, excerptCharacters, unmatched) = ("", "", "", "")
      (errorCount, errorThreshold) = ("", "")
      truncated = false
      excerpt = nil
      (closers, errors, byOrder) = ([], [], [])
      return
    }
    available = true
    absentReason = ""
    lstmBits = NumberFormat.fixed(m.lstmBitsPerChar, 3)
    ngramBits = NumberFormat.fixed(m.ngramBitsPerChar, 3)
    let gainBits = m.ngramBitsPerChar - m.lstmBitsPerChar
    gain =
      gainBits >= 0
      ? "the LSTM is better by \(NumberFormat.fixed(gainBits, 3))"
      : "the n-gram model is better by \(NumberFormat.fixed(-gainBits, 3))"
    order = "\(m.ngramOrder)"
    source = m.trainingSource
    trainingCharacters = NumberFormat.integer(m.trainingCharacters)
    scoredCharacters = NumberFormat.integer(m.symbols.count)
    truncated = m.truncated
    let units = SymbolDisplay.units(m.symbols, kind: site.vocabularyKind)
    let classes = m.differenceBits.map {
      ColorClasses.divergingClass(ColorClasses.diverging(max(-1, min(1, $0 / Self.shadeBits))))
    }
    let shown = min(Self.excerptLength, units.count)
    excerpt = Shaded(runs: ColoredText.runs(Array(units[0..<shown]), classes: Array(classes[0..<shown])))
    excerptCharacters = NumberFormat.integer(shown)

    closers = m.closers.map { bin in
      let distance =
        bin.distanceHigh.map { $0 == bin.distanceLow ? "\($0)" : "\(bin.distanceLow)–\($0)" }
        ?? "\(bin.distanceLow)+"
      return CloserRow(
        distance: distance, count: NumberFormat.integer(bin.count),
        lstm: NumberFormat.fixed(bin.lstmMeanBits, 2),
        ngram: NumberFormat.fixed(bin.ngramMeanBits, 2))
    }
    unmatched = NumberFormat.integer(m.unmatchedClosers)

    let total = m.errorCount
    errorCount = NumberFormat.integer(total)
    errorThreshold = NumberFormat.fixed(m.errorThreshold, 1)
    let oneLine = SymbolDisplay.units(m.symbols, kind: site.vocabularyKind, lineBreaks: false)
    errors = m.errorClasses.map { c in
      let info = Self.classNames[c.id] ?? (c.id, "")
      let examples = c.examples.filter { $0 < oneLine.count }.map { t in
        let lo = max(0, t - Self.exampleContext.before)
        let hi = min(oneLine.count, t + Self.exampleContext.after + 1)
        return Example(
          runs: ColoredText.runs(Array(oneLine[lo..<hi]), classes: Array(classes[lo..<hi]), focus: t - lo),
          position: NumberFormat.integer(t), difference: NumberFormat.signed(m.differenceBits[t], 2))
      }
      return ErrorRow(
        id: c.id, name: info.name, definition: info.definition, count: NumberFormat.integer(c.count),
        share: total > 0 ? NumberFormat.percent(Double(c.count) / Double(total)) : "–", examples: examples)
    }
    byOrder = m.ngramErrorsByOrder.enumerated().map { i, n in
      OrderRow(
        order: "\(i + 1)", count: NumberFormat.integer(n),
        share: total > 0 ? NumberFormat.percent(Double(n) / Double(total)) : "–")
    }
  }

  /// The closer figure: mean loss of each model on closers against log₂ of the distance
  /// bin's lower end; nil without a report or without any closer.
  static func closerFigure(_ memory: MemoryReport?) -> (ref: ImageRef, png: () throws -> [UInt8])? {
    guard let memory, memory.closers.contains(where: { $0.count > 0 }) else { return nil }
    func points(_ value: (MemoryReport.CloserBin) -> Double?) -> [(x: Double, y: Double)] {
      memory.closers.compactMap { bin in value(bin).map { (x: log2(Double(bin.distanceLow)), y: $0) } }
    }
    let plot = LinePlot(
      title: "Loss on closing brackets, braces and quotes",
      xLabel: "distance to the opener, log₂ of the bin's lower end (0 = 1 character, 10 = 1024)",
      yLabel: "mean loss (bits)",
      series: [
        .init(name: "LSTM", points: points(\.lstmMeanBits), style: .markers(.circle)),
        .init(
          name: "n-gram, order \(memory.ngramOrder)", points: points(\.ngramMeanBits),
          style: .markers(.square)),
      ], width: 720, height: 320)
    let ref = ImageRef(
      src: "img/memory-closers.png", width: plot.width, height: plot.height,
      alt:
        "Mean loss in bits of the LSTM and of the n-gram model on closing characters, by distance to the opener"
    )
    return (ref, plot.png)
  }

  /// The error taxonomy as one stacked bar; nil without a report.
  static func errorFigure(_ memory: MemoryReport?) -> (ref: ImageRef, png: () throws -> [UInt8])? {
    guard let memory else { return nil }
    let plot = StackedBarPlot(
      title: "LSTM errors by class", xLabel: "errors (probability of the true character < 0.5)",
      categories: memory.errorClasses.map { classNames[$0.id]?.name ?? $0.id },
      bars: [.init(label: "LSTM", values: memory.errorClasses.map { Double($0.count) })], width: 720,
      height: 200)
    let ref = ImageRef(
      src: "img/memory-errors.png", width: plot.width, height: plot.height,
      alt: "The LSTM's errors split into n-gram, dynamic memory, rare word, word start, punctuation and other"
    )
    return (ref, plot.png)
  }
}
