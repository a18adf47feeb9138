import Foundation
import Testing

@testable import Report

/// A corpus made of script-injection payloads is shown, never run: no markup
/// from the text reaches any page or the explorer's data unescaped.
@Suite struct SafetyTests {
  /// Every element the templates write; anything else in a page came from the corpus.
  static let allowedTags: Set<String> = [
    "html", "head", "meta", "title", "link", "body", "header", "div", "a", "nav", "main", "footer", "script",
    "span", "i", "h1", "h2", "h3", "p", "section", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th",
    "td",
    "figure", "img", "figcaption", "article", "ul", "li", "code", "pre", "label", "select", "option",
    "button",
    "noscript",
  ]
  static let ourScripts: Set<String> = ["assets/site.js", "assets/explorer.js", "explorer-data.js"]

  static func payloadFiles() throws -> [(String, [UInt8])] {
    var input = try SampleSite.input(text: SampleSite.payloadText)
    input.samples.append(
      TemperatureSample(label: "<script>x</script>", temperature: 1, text: SampleSite.payloadText))
    return try SampleSite.files(input)
  }

  @Test func noCorpusMarkupInAnyPage() throws {
    let files = try SafetyTests.payloadFiles()
    let pages = files.filter { $0.0.hasSuffix(".html") }
    #expect(pages.count > 10)
    for (path, bytes) in pages {
      let html = String(decoding: bytes, as: UTF8.self)
      for tag in HTMLScanner.tags(html) {
        #expect(SafetyTests.allowedTags.contains(tag.name), "\(path): unexpected <\(tag.name)>")
        #expect(
          !tag.attributes.keys.contains { $0.hasPrefix("on") }, "\(path): event handler on <\(tag.name)>")
        #expect(tag.attributes["id"] != "xss-ran", "\(path): injected element")
        if tag.name == "script" {
          let src = tag.attributes["src"].map { SiteFiles.resolve($0, from: path) } ?? "(inline)"
          #expect(SafetyTests.ourScripts.contains(src), "\(path): script \(src)")
        }
        if tag.name == "img" {
          #expect(
            tag.attributes["src"].map { SiteFiles.resolve($0, from: path).hasPrefix("img/") } == true,
            "\(path)")
        }
      }
      // Case-insensitive: every "<script" is one of our three script tags, every "<img" one of our plots.
      let lower = html.lowercased()
      let scripts = lower.components(separatedBy: "<script").count - 1
      let ours = lower.components(separatedBy: "<script src=\"").count - 1
      #expect(scripts == ours, "\(path): a <script not written by the templates")
      let images = lower.components(separatedBy: "<img").count - 1
      let plots = lower.components(separatedBy: "<img src=\"").count - 1
      #expect(images == plots, "\(path): an <img not written by the templates")
      #expect(!lower.contains("<svg") && !lower.contains("</title><b"), "\(path)")
    }
  }

  @Test func explorerDataCannotEndAScript() throws {
    let files = try SafetyTests.payloadFiles()
    let data = try #require(files.first { $0.0 == "explorer-data.js" }).1
    #expect(data.allSatisfy { $0 < 0x80 }, "explorer-data.js is pure ASCII")
    let js = String(decoding: data, as: UTF8.self)
    #expect(!js.lowercased().contains("</script"))
    #expect(!js.contains("<") && !js.contains(">") && !js.contains("&"))
    #expect(!js.contains("\u{2028}") && !js.contains("\u{2029}"))
    // And it is still the right data: JSON after the assignment, the text round-trips.
    let prefix = "window.CELLSCOPE_EXPLORER = "
    #expect(js.hasPrefix(prefix) && js.hasSuffix(";\n"))
    let json = js.dropFirst(prefix.count).dropLast(2)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let text = try #require(object["text"] as? String)
    #expect(text.hasPrefix("<script>document.title='XSS-RAN'</script>"))
    #expect(text.unicodeScalars.count == SampleSite.payloadText.unicodeScalars.count)
    let values = try #require(object["values"] as? String)
    #expect(values.count == 12 * text.unicodeScalars.count)
  }

  @Test func scriptDataEscapesEverythingRisky() {
    #expect(ScriptData.string("</script>") == "\"\\u003c/script\\u003e\"")
    #expect(
      ScriptData.string("a\"b\\c\nd\u{2028}é😀&") == "\"a\\\"b\\\\c\\nd\\u2028\\u00e9\\ud83d\\ude00\\u0026\"")
    #expect(ScriptData.base64Digits([0, 25, 26, 51, 52, 61, 62, 63]) == "AZaz09+/")
  }
}

/// The sites in a real browser and the Nu HTML checker, through scripts/check-site.sh:
/// the sample site and a site built from a corpus of script-injection payloads.
/// Set CELLSCOPE_SKIP_BROWSER=1 to skip (for machines without Chromium or Java);
/// CELLSCOPE_KEEP_SITES=1 keeps the two sites and prints where they are.
@Suite struct BrowserTests {
  static let skip = ProcessInfo.processInfo.environment["CELLSCOPE_SKIP_BROWSER"] == "1"

  @Test(
    .enabled(
      if: !skip, "CELLSCOPE_SKIP_BROWSER=1: the headless-Chromium and HTML-validity checks are skipped"),
    .timeLimit(.minutes(10)))
  func sitesPassTheBrowserAndValidatorChecks() throws {
    let dir = try SampleSite.temporaryFolder()
    let keep = ProcessInfo.processInfo.environment["CELLSCOPE_KEEP_SITES"] == "1"
    defer { if !keep { try? FileManager.default.removeItem(at: dir) } }
    let sample = dir.appendingPathComponent("sample").path
    let payloads = dir.appendingPathComponent("payloads").path
    _ = try SiteWriter.write(try SampleSite.input(), to: sample, options: SampleSite.options)
    var input = try SampleSite.input(text: SampleSite.payloadText)
    input.samples.append(TemperatureSample(label: "payloads", temperature: 1, text: SampleSite.payloadText))
    _ = try SiteWriter.write(input, to: payloads, options: SampleSite.options)
    if keep { print("kept the sites in \(dir.path)") }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [SampleSite.packageRoot + "/scripts/check-site.sh", sample, payloads]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "scripts/check-site.sh failed:\n\(log)")
  }
}
