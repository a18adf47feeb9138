import Foundation
import Plotting
import Testing

@testable import Report

/// The whole written site: its exact file list, every internal link and image
/// resolving, every PNG decoding at the size its page claims, nothing absolute or
/// remote, and the same bytes on every write.
@Suite struct SiteTreeTests {
  static let expectedFiles: [String] = [
    ".cellscope-site", "analysis.json", "assets/explorer.js", "assets/site.js", "assets/style.css",
    "cells.csv",
    "cells.html", "cells/l0-c-0.html", "cells/l0-h-0.html", "cells/l1-c-0.html", "cells/l1-h-0.html",
    "explorer-data.js", "explorer.html", "features.html", "features/in_double_quotes.html",
    "features/is_space.html",
    "features/line_position.html", "gates.html", "img/act-l0-c.png", "img/act-l0-h.png", "img/act-l1-c.png",
    "img/act-l1-h.png", "img/emergence.png", "img/gates-l0.png", "img/gates-l1.png", "img/hist-l0-c-0.png",
    "img/hist-l0-h-0.png",
    "img/hist-l1-c-0.png", "img/hist-l1-h-0.png", "img/loss.png", "img/probe-in_double_quotes.png",
    "index.html", "memory.html",
    "predictions.html",
    "samples.html",
  ]

  @Test func siteHasExactlyTheExpectedFiles() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    let summary = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    let files = try SiteFiles.list(out)
    #expect(files == SiteTreeTests.expectedFiles)
    #expect(summary.files == files.count)
    let sizes = try files.map { try SiteFiles.bytes(out, $0).count }
    #expect(summary.bytes == sizes.reduce(0, +))
    #expect(summary.largestBytes == sizes.max())
    print(
      "sample site: \(summary.files) files, \(summary.bytes) bytes; largest \(summary.largestFile), \(summary.largestBytes) bytes"
    )
  }

  @Test func everyLinkAndImageResolvesAndEveryPNGDecodesAtItsSize() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    var referencedPNGs = Set<String>()
    for page in try SiteFiles.list(out) where page.hasSuffix(".html") {
      let html = String(decoding: try SiteFiles.bytes(out, page), as: UTF8.self)
      let tags = HTMLScanner.tags(html)
      #expect(!tags.isEmpty)
      for tag in tags {
        for name in ["href", "src"] {
          guard let value = tag.attributes[name] else { continue }
          #expect(!value.hasPrefix("/"), "\(page): absolute path \(value)")
          #expect(
            !value.contains("://") && !value.lowercased().hasPrefix("file:"), "\(page): remote \(value)")
          let path = value.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
          if path.isEmpty { continue }  // a link within the page
          let target = SiteFiles.resolve(String(path), from: page)
          #expect(
            FileManager.default.fileExists(atPath: out + "/" + target), "\(page): \(value) does not resolve")
          if tag.name == "img" {
            referencedPNGs.insert(target)
            let image = try PNGImage(decoding: try SiteFiles.bytes(out, target))
            #expect(String(image.width) == tag.attributes["width"], "\(target) width")
            #expect(String(image.height) == tag.attributes["height"], "\(target) height")
          }
        }
      }
      #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("file://"), "\(page)")
    }
    let pngs = try SiteFiles.list(out).filter { $0.hasSuffix(".png") }
    #expect(Set(pngs) == referencedPNGs, "every PNG is shown on some page")
    let css = String(decoding: try SiteFiles.bytes(out, "assets/style.css"), as: UTF8.self)
    #expect(!css.contains("url(") && !css.contains("@import"))
  }

  @Test func secondWriteIsByteIdentical() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = dir.appendingPathComponent("a").path
    let b = dir.appendingPathComponent("b").path
    _ = try SiteWriter.write(try SampleSite.input(), to: a, options: SampleSite.options)
    _ = try SiteWriter.write(try SampleSite.input(), to: b, options: SampleSite.options)
    let first = try SiteFiles.list(a)
    #expect(first == (try SiteFiles.list(b)))
    for path in first {
      #expect(
        try SiteFiles.bytes(a, path) == (try SiteFiles.bytes(b, path)), "\(path) differs between writes")
    }
    // And once more over the first folder (the replacing path).
    _ = try SiteWriter.write(try SampleSite.input(), to: a, options: SampleSite.options)
    for path in first {
      #expect(
        try SiteFiles.bytes(a, path) == (try SiteFiles.bytes(b, path)), "\(path) differs after a rewrite")
    }
  }

  @Test func allCellsGivesEveryCellAPage() throws {
    var options = SampleSite.options
    options.allCells = true
    let files = try SampleSite.files(try SampleSite.input(), options: options)
    #expect(files.filter { $0.0.hasPrefix("cells/") }.count == 12)
    #expect(files.filter { $0.0.hasPrefix("img/hist-") }.count == 12)
  }

  @Test func colourClassesInStyleSheetMatchTheColourMaps() throws {
    let url = URL(fileURLWithPath: SampleSite.templates).appendingPathComponent("assets/style.css")
    let css = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    let block = ColorClasses.css
    if Golden.recording, !css.contains(block) {
      let marker = "/* Text colour classes"
      let kept = css.range(of: marker).map { String(css[..<$0.lowerBound]) } ?? css + "\n"
      try Data((kept + block).utf8).write(to: url)
      return
    }
    #expect(
      css.contains(block),
      "style.css lacks the colour classes; record with CELLSCOPE_RECORD_GOLDENS=1:\n\(block)")
  }
}

/// Listing and reading a written site.
enum SiteFiles {
  /// Every regular file under `root`, relative and sorted.
  static func list(_ root: String) throws -> [String] {
    let fm = FileManager.default
    var out: [String] = []
    guard let e = fm.enumerator(atPath: root) else { return [] }
    for case let path as String in e {
      var isDir: ObjCBool = false
      if fm.fileExists(atPath: root + "/" + path, isDirectory: &isDir), !isDir.boolValue { out.append(path) }
    }
    return out.sorted()
  }

  static func bytes(_ root: String, _ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + path)))
  }

  /// A relative reference from the page at `page` as a site-relative path.
  static func resolve(_ reference: String, from page: String) -> String {
    var parts = page.split(separator: "/").dropLast().map(String.init)
    for piece in reference.split(separator: "/") {
      if piece == ".." {
        if !parts.isEmpty { parts.removeLast() }
      } else if piece != "." {
        parts.append(String(piece))
      }
    }
    return parts.joined(separator: "/")
  }
}
