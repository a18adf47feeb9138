import Foundation
import Testing

@testable import Report

/// Snapshot tests: one golden per kind of page, rendered from the hand-built sample.
@Suite struct PageSnapshotTests {
  static let pages = [
    ("index.html", "index.html"),
    ("cells.html", "cells.html"),
    ("cells/l0-c-0.html", "cell.html"),
    ("predictions.html", "predictions.html"),
    ("features.html", "features.html"),
    ("features/in_double_quotes.html", "feature.html"),
    ("samples.html", "samples.html"),
    ("gates.html", "gates.html"),
    ("memory.html", "memory.html"),
    ("explorer.html", "explorer.html"),
    ("explorer-data.js", "explorer-data.js"),
  ]

  @Test(arguments: pages)
  func pageMatchesGolden(path: String, golden: String) throws {
    let files = try SampleSite.files(try SampleSite.input())
    let file = try #require(files.first { $0.0 == path }, "the site has no \(path)")
    try Golden.check(String(decoding: file.1, as: UTF8.self), name: golden)
  }

  /// A model exported from PyTorch has no training record: the pages say so instead.
  @Test func untrainedModelPagesMatchGoldens() throws {
    let files = try SampleSite.files(try SampleSite.input(trained: false))
    #expect(!files.contains { $0.0 == "img/loss.png" })
    for (path, golden) in [
      ("index.html", "index-untrained.html"), ("samples.html", "samples-untrained.html"),
    ] {
      let file = try #require(files.first { $0.0 == path })
      try Golden.check(String(decoding: file.1, as: UTF8.self), name: golden)
    }
  }

  @Test func lineDiffNamesTheFirstDifferingLines() {
    let diff = Golden.lineDiff(expected: "a\nb\nc\n", actual: "a\nB\nc\nd\n")
    #expect(diff.contains("line 2:\n  - b\n  + B"))
    #expect(diff.contains("line 4:"))
    #expect(diff.contains("(4 lines expected, 5 produced)"))
  }
}

/// Golden files under `Tests/ReportTests/Goldens/`: compared byte for byte, and
/// re-recorded when the environment has `CELLSCOPE_RECORD_GOLDENS=1`.
enum Golden {
  static var folder: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")
  }

  static var recording: Bool { ProcessInfo.processInfo.environment["CELLSCOPE_RECORD_GOLDENS"] == "1" }

  /// Checks `actual` against the golden `name` (or records it), failing with a line diff.
  static func check(_ actual: String, name: String, sourceLocation: SourceLocation = #_sourceLocation) throws
  {
    let url = folder.appendingPathComponent(name)
    if recording {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(actual.utf8).write(to: url)
      return
    }
    guard let data = FileManager.default.contents(atPath: url.path) else {
      Issue.record(
        "golden \(name) is missing; run the tests with CELLSCOPE_RECORD_GOLDENS=1 to record it",
        sourceLocation: sourceLocation)
      return
    }
    let expected = String(decoding: data, as: UTF8.self)
    if expected != actual {
      let diff = lineDiff(expected: expected, actual: actual)
      Issue.record(
        "\(name) differs from its golden (re-record with CELLSCOPE_RECORD_GOLDENS=1 if the change is intended):\n\(diff)",
        sourceLocation: sourceLocation)
    }
  }

  /// The first differing lines, numbered, expected (-) above actual (+).
  static func lineDiff(expected: String, actual: String, limit: Int = 6) -> String {
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var out: [String] = []
    var shown = 0
    for i in 0..<max(e.count, a.count) where shown < limit {
      let x = i < e.count ? String(e[i]) : nil
      let y = i < a.count ? String(a[i]) : nil
      guard x != y else { continue }
      out.append("line \(i + 1):")
      out.append("  - " + (x.map(clip) ?? "(no line)"))
      out.append("  + " + (y.map(clip) ?? "(no line)"))
      shown += 1
    }
    if e.count != a.count { out.append("(\(e.count) lines expected, \(a.count) produced)") }
    return out.joined(separator: "\n")
  }

  /// A long line cut to 240 characters for the message.
  private static func clip(_ s: String) -> String { s.count > 240 ? String(s.prefix(240)) + "…" : s }
}
