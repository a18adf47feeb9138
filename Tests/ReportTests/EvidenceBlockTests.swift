import Foundation
import Testing

@testable import Interpretability
@testable import Report

/// The page blocks for the control, the ablation, the probes and the descriptions: the values shown
/// are the analysis's, formatted by NumberFormat, and each block gives way to one sentence when the
/// analysis does not hold its evidence.
struct EvidenceBlockTests {
  static func site(evidence: Bool = true) throws -> SiteData {
    SiteData(input: try SampleSite.input(evidence: evidence), options: SampleSite.options)
  }

  static func position(_ site: SiteData, _ id: CellID) throws -> Int {
    try #require(site.paged.firstIndex { $0.id == id })
  }

  @Test func controlShowsTrainedUntrainedAndTheDifference() throws {
    let site = try Self.site()
    let control = try #require(site.analysis.control)
    let index = FeaturesIndexPage(site)
    #expect(index.hasControl)
    for (f, row) in zip(site.analysis.features, index.rows) {
      let c = try #require(control.feature(f.id))
      // The best trained score: the highest score of any cell on the feature.
      let trained = site.analysis.cells.map { $0.scores.first { $0.feature == f.id }!.score }.max()!
      let shown = try #require(row.control)
      #expect(shown.trained == NumberFormat.fixed(trained, 3))
      #expect(shown.untrained == NumberFormat.fixed(c.score, 3))
      #expect(shown.difference == NumberFormat.signed(trained - c.score, 3))
      #expect(shown.untrainedCell == c.bestCell?.description)
    }
    #expect(index.controlNote.contains("seed \(control.seed)"))
    #expect(index.controlNote.contains(control.initialization))
    let overview = OverviewPage(site, lossPlot: nil)
    #expect(overview.control.map(\.untrained) == index.rows.compactMap { $0.control?.untrained })
    let quotes = FeaturePage(site, feature: site.analysis.features[0], index: 0)
    #expect(quotes.control?.difference == index.rows[0].control?.difference)
  }

  @Test func withoutControlOneSentenceAndNoColumns() throws {
    let site = try Self.site(evidence: false)
    let index = FeaturesIndexPage(site)
    #expect(!index.hasControl)
    #expect(index.rows.allSatisfy { $0.control == nil })
    #expect(index.controlNote.hasPrefix("Control not run"))
    let overview = OverviewPage(site, lossPlot: nil)
    #expect(overview.control.isEmpty && !overview.hasControl)
    let files = try SampleSite.files(try SampleSite.input(evidence: false))
    let html = String(decoding: try #require(files.first { $0.0 == "index.html" }).1, as: UTF8.self)
    #expect(html.contains("Control not run"))
    #expect(!html.contains("best untrained cell"))
  }

  @Test func ablationBlockShowsTheDeltasAndCounts() throws {
    let site = try Self.site()
    let id = CellID(layer: 0, state: .h, index: 0)
    let page = CellPage(
      site, position: try Self.position(site, id), histogram: ImageRef(src: "", width: 1, height: 1, alt: ""))
    let r = try #require(site.analysis.ablation?.result(layer: 0, index: 0))
    let block = try #require(page.ablation)
    let ln2 = log(2.0)
    #expect(
      block.rows.map(\.nats)
        == [r.deltaNats, r.deltaWhereOn!, r.deltaAtSwitchOff!].map { NumberFormat.signed($0, 4) })
    #expect(
      block.rows.map(\.bits)
        == [r.deltaBits, r.deltaWhereOn! / ln2, r.deltaAtSwitchOff! / ln2].map { NumberFormat.signed($0, 4) })
    #expect(block.rows.map(\.predictions) == ["119", "30", "4"])
    #expect(block.mean == NumberFormat.signed(r.mean, 3))
    #expect(block.method.contains("first 120 characters"))
    // A shown cell that was not ablated says so.
    let other = CellPage(
      site, position: try Self.position(site, CellID(layer: 1, state: .c, index: 0)),
      histogram: ImageRef(src: "", width: 1, height: 1, alt: ""))
    #expect(other.ablation == nil)
    #expect(other.ablationNote == "This cell was not among the cells ablated.")
    let bare = try Self.site(evidence: false)
    let none = CellPage(bare, position: 0, histogram: ImageRef(src: "", width: 1, height: 1, alt: ""))
    #expect(none.ablation == nil && none.ablationNote.hasPrefix("Ablation not run"))
  }

  @Test func cellsTableHasASortableAblationColumnOnlyWithAblations() throws {
    let site = try Self.site()
    let table = CellsTablePage(site)
    #expect(table.hasAblation)
    for (row, cell) in zip(table.rows, site.ranked) {
      #expect(row.ablation == (cell.ablationDelta.map { NumberFormat.signed($0, 4) } ?? ""))
    }
    #expect(table.rows.filter { !$0.ablation.isEmpty }.count == 2)
    let files = try SampleSite.files(try SampleSite.input())
    let html = String(decoding: try #require(files.first { $0.0 == "cells.html" }).1, as: UTF8.self)
    #expect(
      html.contains(
        "<th data-sort=\"num\" title=\"nats per character the model loses when the cell is held at its mean\">ablation Δ</th>"
      ))
    let bare = CellsTablePage(try Self.site(evidence: false))
    #expect(!bare.hasAblation)
    let bareFiles = try SampleSite.files(try SampleSite.input(evidence: false))
    let bareHTML = String(decoding: try #require(bareFiles.first { $0.0 == "cells.html" }).1, as: UTF8.self)
    #expect(!bareHTML.contains("ablation Δ"))
  }

  @Test func probeBlockShowsEachStepAndTheVerdict() throws {
    let site = try Self.site()
    let result = try #require(site.analysis.probes?.first)
    let plot = ImageRef(src: "img/probe-in_double_quotes.png", width: 470, height: 260, alt: "")
    let page = FeaturePage(site, feature: site.analysis.features[0], index: 0, probePlot: plot)
    let block = try #require(page.probe)
    #expect(block.summary == result.summary)
    #expect(block.verdict == "lives in one cell")
    #expect(block.rows.map(\.k) == ["1", "2", "4", "all 12"])
    #expect(block.rows.map(\.score) == result.steps.map { NumberFormat.fixed($0.score, 3) })
    #expect(block.rows[1].cells == "L0 c 0, L1 c 1")  // columns 0 and 7 of cellOrder
    #expect(block.rows[3].cells == "every cell")
    // A feature whose probe failed shows the reason; without probes, one sentence.
    let space = FeaturePage(site, feature: site.analysis.features[1], index: 1)
    #expect(space.probe == nil)
    #expect(space.probeNote == "No probe: " + site.analysis.probeFailures!["is_space"]!)
    let bare = try Self.site(evidence: false)
    let none = FeaturePage(bare, feature: bare.analysis.features[0], index: 0)
    #expect(none.probe == nil && none.probeNote.hasPrefix("Probes not run"))
  }

  @Test func descriptionBlockShowsHeldOutScores() throws {
    let site = try Self.site()
    let id = CellID(layer: 1, state: .h, index: 0)
    let cell = try #require(site.cellByID[id])
    let d = try #require(cell.description)
    let page = CellPage(
      site, position: try Self.position(site, id), histogram: ImageRef(src: "", width: 1, height: 1, alt: ""))
    let block = try #require(page.cellDescription)
    #expect(block.sentence == d.sentence)
    #expect(block.convincing)  // F1 0.60 ≥ 0.5
    #expect(block.rows.map(\.pattern) == d.patterns.map(\.pattern))
    #expect(block.rows.map(\.f1) == ["0.60", "0.12"])  // 0.125 rounds half to even
    #expect(block.rows.map(\.precision) == ["0.75", "0.20"])
    #expect(block.rows.map(\.matches) == ["6", "5"])
    let quotes = CellPage(
      site, position: try Self.position(site, CellID(layer: 0, state: .c, index: 0)),
      histogram: ImageRef(src: "", width: 1, height: 1, alt: ""))
    #expect(quotes.cellDescription == nil)
  }
}
