import CharLSTM
import Foundation
import Interpretability

/// The input with the lookups every page needs, computed once.
///
/// Paths held here and in page models are relative to the site's root folder;
/// templates prefix them with `{{root}}` ("" or "../"), so every link is relative.
struct SiteData {
  let input: SiteInput
  let options: SiteOptions
  var analysis: Analysis { input.analysis }
  /// Every cell, by rank (1 first).
  let ranked: [CellReport]
  /// The cells that get a page of their own, by rank.
  let paged: [CellReport]
  let pagedIDs: Set<CellID>
  let cellByID: [CellID: CellReport]
  /// Row of each cell in `Excerpt.cellValues`.
  let excerptRow: [CellID: Int]
  let vocabularyKind: Vocabulary.Kind
  /// The excerpt's characters, ready to colour (line breaks kept).
  let excerptUnits: [DisplayUnit]
  /// Feature id → position in `Analysis.features` (and in every `CellReport.scores`).
  let featureIndex: [String: Int]

  /// Characters of the excerpt shown colour-coded on each cell page.
  static let cellExcerptLength = 2000
  /// Characters of the excerpt shown on each feature page.
  static let featureExcerptLength = 600
  /// Characters of the gallery snippets on the overview (a window is cut to this).
  static let snippetLength = 44

  init(input: SiteInput, options: SiteOptions) {
    self.input = input
    self.options = options
    let a = input.analysis
    ranked = a.cells.sorted { ($0.rank, $0.id) < ($1.rank, $1.id) }
    paged = options.allCells ? ranked : Array(ranked.prefix(max(0, options.topCells)))
    pagedIDs = Set(paged.map(\.id))
    var byID: [CellID: CellReport] = [:]
    for c in a.cells { byID[c.id] = c }
    cellByID = byID
    var rows: [CellID: Int] = [:]
    for (i, id) in a.cellOrder.enumerated() { rows[id] = i }
    excerptRow = rows
    vocabularyKind = SymbolDisplay.kind(a.vocabularyKind)
    excerptUnits = SymbolDisplay.units(a.excerpt.symbols, kind: vocabularyKind)
    var index: [String: Int] = [:]
    for (i, f) in a.features.enumerated() { index[f.id] = i }
    featureIndex = index
  }

  /// The page of a cell: its own page if it has one, else the explorer showing it.
  func href(_ id: CellID) -> String {
    pagedIDs.contains(id) ? SiteMap.cellPage(id) : SiteMap.explorer(showing: id)
  }

  /// The page of a feature.
  func href(feature id: String) -> String { SiteMap.featurePage(id) }

  /// The feature's display name, or its id if the analysis does not describe it.
  func featureName(_ id: String) -> String {
    featureIndex[id].map { analysis.features[$0].name } ?? id
  }

  /// The first `length` characters of the excerpt coloured by one cell.
  func excerptRuns(of id: CellID, length: Int) -> [TextRun] {
    excerptRuns(of: id, range: 0..<min(length, excerptUnits.count))
  }

  /// Characters `range` of the excerpt coloured by one cell (neutral where it has no values).
  func excerptRuns(of id: CellID, range: Range<Int>) -> [TextRun] {
    let range = range.clamped(to: 0..<excerptUnits.count)
    let units = Array(excerptUnits[range])
    guard let row = excerptRow[id], row < analysis.excerpt.cellValues.count,
      range.upperBound <= analysis.excerpt.cellValues[row].count
    else {
      return ColoredText.runs(units, classes: Array(repeating: "v10", count: units.count))
    }
    return ColoredText.cellRuns(units, quantized: analysis.excerpt.cellValues[row][range])
  }

  /// "The first 2,000 of the excerpt's 5,210 characters." or "All 120 characters of the excerpt."
  func excerptNote(shown: Int) -> String {
    let total = analysis.excerpt.symbols.count
    return shown < total
      ? "The first \(NumberFormat.integer(shown)) of the excerpt's \(NumberFormat.integer(total)) characters."
      : "All \(NumberFormat.integer(total)) characters of the excerpt."
  }

  /// The cell's score for a feature, if the analysis has it.
  func score(of cell: CellReport, feature id: String) -> FeatureScore? {
    if let i = featureIndex[id], i < cell.scores.count, cell.scores[i].feature == id { return cell.scores[i] }
    return cell.scores.first { $0.feature == id }
  }

  /// One colour-coded window with its caption ("at 1,234: +0.97").
  func window(_ w: Window) -> WindowView {
    window(symbols: w.symbols[...], values: w.values[...], start: w.start, focus: w.focus)
  }

  /// A window given by its parts (`start` is the position of `symbols.first`).
  func window(symbols: ArraySlice<UInt32>, values: ArraySlice<Float>, start: Int, focus: Int) -> WindowView {
    let units = SymbolDisplay.units(Array(symbols), kind: vocabularyKind, lineBreaks: false)
    let n = min(units.count, values.count)
    let f = focus >= 0 && focus < n ? focus : nil
    let value =
      f.map { NumberFormat.signed(Double(values[values.startIndex + $0]), 2) } ?? NumberFormat.missing
    return WindowView(
      position: NumberFormat.integer(start + focus), value: value,
      runs: ColoredText.cellRuns(Array(units.prefix(n)), values: Array(values.prefix(n)), focus: f))
  }

  /// The first top window, cut to `snippetLength` characters around its focus.
  func snippet(of cell: CellReport) -> WindowView? {
    guard let w = cell.topWindows.first else { return nil }
    let n = min(w.symbols.count, w.values.count)
    let length = SiteData.snippetLength
    guard n > length else { return window(w) }
    let lo = min(max(0, w.focus - length * 2 / 3), n - length)
    return window(
      symbols: w.symbols[lo..<(lo + length)], values: w.values[lo..<(lo + length)], start: w.start + lo,
      focus: w.focus - lo)
  }

  /// The gallery card of a cell.
  func card(_ cell: CellReport) -> CellCard {
    CellCard(
      href: href(cell.id), label: cell.id.description, rank: "\(cell.rank)", role: cell.role, tags: cell.tags,
      snippet: snippet(of: cell))
  }
}

/// A colour-coded stretch of text with a note on what it is: `{{#block}}{{>ctext}}{{/block}}`.
struct TextBlock {
  let runs: [TextRun]
  let note: String
}

/// A colour-coded window: the `window` partial.
struct WindowView {
  let position: String
  let value: String
  let runs: [TextRun]
}

/// A cell in the overview's gallery: the `card` partial.
struct CellCard {
  let href: String
  let label: String
  let rank: String
  let role: String
  let tags: [String]
  let snippet: WindowView?
}

/// A label and a value for the definition lists and key tables.
struct KeyValue {
  let key: String
  let value: String
}

/// A PNG on the page, with its intrinsic size so the layout does not jump.
struct ImageRef {
  let src: String
  let width: Int
  let height: Int
  let alt: String
}
