import CharLSTM
import Foundation
import Interpretability
import Testing

@testable import Report

/// The site's one list of pages, and the model card it receives instead of a checkpoint.
@Suite struct SiteMapAndModelCardTests {
  /// The top-level pages, in the order the site has always shown them.
  static let pages = [
    "index.html", "cells.html", "predictions.html", "features.html", "samples.html", "gates.html",
    "memory.html",
    "explorer.html",
  ]

  /// The `href`s inside the first element opened by `start` and closed by `end`.
  static func hrefs(in html: String, from start: String, to end: String) -> [String] {
    guard let open = html.range(of: start),
      let close = html.range(of: end, range: open.upperBound..<html.endIndex)
    else { return [] }
    let block = html[open.upperBound..<close.lowerBound]
    return block.components(separatedBy: "href=\"").dropFirst().compactMap { $0.split(separator: "\"").first }
      .map(String.init)
  }

  static func page(_ path: String, of files: [(String, [UInt8])]) -> String {
    files.first { $0.0 == path }.map { String(decoding: $0.1, as: UTF8.self) } ?? ""
  }

  /// The navigation and the overview's links both come from the site map: same
  /// pages, same order, the overview linking to all but itself.
  @Test func navigationAndOverviewLinksListTheSamePages() throws {
    let files = try SampleSite.files(try SampleSite.input())
    let index = Self.page("index.html", of: files)
    let nav = Self.hrefs(in: index, from: "<nav aria-label=\"site\">", to: "</nav>")
    let links = Self.hrefs(in: index, from: "<ul class=\"links\">", to: "</ul>")
    #expect(nav == Self.pages)
    #expect(links == Array(Self.pages.dropFirst()))
    #expect(SiteMap.sections.map(\.path) == Self.pages)
    for path in Self.pages {
      #expect(files.contains { $0.0 == path }, "\(path) is in the map but not written")
    }
  }

  /// Pages one folder down mark their index as the current section and link up with "../".
  @Test func pagesInFoldersBelongToTheirIndex() throws {
    #expect(SiteMap.section(of: "cells/l0-c-3.html") == "cells.html")
    #expect(SiteMap.section(of: "features/is_space.html") == "features.html")
    #expect(SiteMap.section(of: "gates.html") == "gates.html")
    let files = try SampleSite.files(try SampleSite.input())
    let cellPage = try #require(files.first { $0.0.hasPrefix("cells/") && $0.0.hasSuffix(".html") })
    let html = String(decoding: cellPage.1, as: UTF8.self)
    #expect(html.contains("<a href=\"../cells.html\" aria-current=\"page\">Cells</a>"))
    #expect(SiteMap.cellPage(CellID(layer: 1, state: .h, index: 7)) == "cells/l1-h-7.html")
  }

  /// The card keeps what the pages show and drops the weights.
  @Test func modelCardFromACheckpoint() throws {
    // V = 5, H = 3, one layer, one-hot: 4H(V + H) + 2·4H + V·H + V = 96 + 24 + 15 + 5 = 140 parameters.
    let config = ModelConfig(vocabSize: 5, hiddenSize: 3, numLayers: 1)
    let vocabulary = try Vocabulary(kind: .unicode, symbols: Array("abcde".unicodeScalars.map(\.value)))
    let record = SampleSite.record()
    let checkpoint = Checkpoint(
      config: config, vocabulary: vocabulary, parameters: [Float](repeating: 0.5, count: 140),
      training: record)
    let card = ModelCard(checkpoint)
    #expect(card.config == config)
    #expect(card.vocabularySize == 5)
    #expect(card.vocabularyKind == .unicode)
    #expect(card.training == record)
    #expect(card.parameterCount == 140)
    #expect(card.modelFacts.first { $0.key == "parameters" }?.value == "140")
    #expect(card.modelFacts.first { $0.key == "vocabulary" }?.value == "5 characters")

    let bytes = ModelCard(config: config, vocabularySize: 5, vocabularyKind: .bytes, training: nil)
    #expect(bytes.modelFacts.first { $0.key == "vocabulary" }?.value == "5 bytes")
    #expect(bytes.trainingFacts.isEmpty)
  }
}
