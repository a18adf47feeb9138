import CharLSTM
import Foundation
import Plotting
import Testing

@testable import Report

/// The samples page's emergence section: the sentences, the figure, and what is
/// said when there is no history.
struct EmergenceSectionTests {
  static func point(_ step: Int, _ scores: [(String, String, Double)]) -> EmergencePoint {
    EmergencePoint(
      step: step,
      features: scores.map { id, kind, score in
        FeatureEmergence(feature: id, kind: kind, score: score, signed: score, layer: 1, state: "c", index: 7)
      })
  }

  @Test func theSentenceNamesTheFirstStepPastTheThreshold() {
    // Out of order on purpose; 0.9 exactly is not past it; the URL cell never gets there;
    // graded features and character classes get no sentence.
    let history = [
      Self.point(300, [("in_double_quotes", "binary", 0.95), ("in_url", "binary", 0.6)]),
      Self.point(100, [("in_double_quotes", "binary", 0.9), ("line_position", "graded", 0.99)]),
      Self.point(200, [("in_double_quotes", "binary", 0.91), ("is_space", "binary", 1.0)]),
      Self.point(400, [("in_double_quotes", "binary", 0.5), ("in_wiki_link", "binary", 0.97)]),
    ]
    let sentences = EmergenceSection.milestones(history)
    #expect(sentences.count == 2)
    #expect(sentences[0].contains("first passed 0.9 at step 200 (L1 c 7, AUC 0.91)"), "\(sentences)")
    #expect(sentences[0].contains("double quotes"), "\(sentences[0])")
    #expect(sentences[1].contains("at step 400"), "\(sentences)")
    #expect(EmergenceSection.milestones([]).isEmpty)
  }

  @Test func theFigureHasOneLinePerShownFeatureAndDecodesAtItsSize() throws {
    let history = [
      Self.point(10, [("in_double_quotes", "binary", 0.6), ("is_space", "binary", 0.99)]),
      Self.point(20, [("in_double_quotes", "binary", 0.8), ("indent", "graded", 0.4)]),
    ]
    let series = EmergenceSection.series(history)
    #expect(series.count == 2)  // quotes and indentation; the space class is left out
    #expect(series[0].points.map(\.x) == [10, 20] && series[0].points.map(\.y) == [0.6, 0.8])
    #expect(series[1].points.map(\.x) == [20])
    var record = SampleSite.record()
    record.emergence = history
    let figure = try #require(EmergenceSection.figure(record))
    let image = try PNGImage(decoding: try figure.png())
    #expect(image.width == figure.ref.width && image.height == figure.ref.height)
    #expect(figure.ref.src == "img/emergence.png")
  }

  @Test func withoutAHistoryThePageSaysWhy() {
    var record = SampleSite.record()
    record.emergence = nil
    #expect(EmergenceSection.figure(record) == nil)
    let plain = EmergenceSection(record: record, plot: nil)
    #expect(plain.absentNote?.contains("--no-emergence") == true)
    #expect(plain.milestones.isEmpty)
    let elsewhere = EmergenceSection(record: nil, plot: nil)
    #expect(elsewhere.absentNote?.contains("trained elsewhere") == true)
    record.emergence = [Self.point(5, [("is_space", "binary", 1.0)])]
    #expect(EmergenceSection.figure(record) == nil)
    #expect(EmergenceSection(record: record, plot: nil).absentNote?.contains("none of the plotted") == true)
  }

  @Test func theSamplesPageShowsThePlotAndTheSentence() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    let html = String(decoding: try SiteFiles.bytes(out, "samples.html"), as: UTF8.self)
    #expect(html.contains("src=\"img/emergence.png\""))
    #expect(html.contains("first passed 0.9 at step 40"))
    #expect(!html.contains("No emergence plot"))
  }
}
