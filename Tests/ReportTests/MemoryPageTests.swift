import Foundation
import Plotting
import Testing

@testable import Report

/// `memory.html` with and without an n-gram comparison: the figures decode at their
/// stated size, corpus text is escaped, the same input gives the same bytes.
@Suite struct MemoryPageTests {
  /// A comparison over the XSS payload text, with hand-set numbers.
  static func memory() -> MemoryReport {
    let symbols = SampleSite.payloadText.unicodeScalars.map(\.value)
    let n = symbols.count
    return MemoryReport(
      ngramOrder: 8, trainingSource: "<b>train</b>.txt (--ngram-train)", trainingCharacters: 12345,
      symbols: symbols, truncated: false,
      differenceBits: (0..<n).map { $0 == 0 ? 0 : sin(Double($0)) * 5 }, lstmBitsPerChar: 1.25,
      ngramBitsPerChar: 1.75,
      closers: [
        .init(distanceLow: 1, distanceHigh: 1, count: 3, lstmMeanBits: 0.5, ngramMeanBits: 0.75),
        .init(distanceLow: 2, distanceHigh: 3, count: 0, lstmMeanBits: nil, ngramMeanBits: nil),
        .init(distanceLow: 4, distanceHigh: nil, count: 2, lstmMeanBits: 1.5, ngramMeanBits: 4.25),
      ], unmatchedClosers: 1, errorThreshold: 0.5,
      errorClasses: [
        .init(id: "ngram", count: 6, examples: [1, 40]), .init(id: "dynamicMemory", count: 0, examples: []),
        .init(id: "rareWord", count: 2, examples: [9]), .init(id: "wordStart", count: 1, examples: [n - 1]),
        .init(id: "punctuation", count: 1, examples: [0]), .init(id: "other", count: 0, examples: []),
      ], ngramErrorsByOrder: [10, 9, 8, 7, 6, 6, 6, 6, 6])
  }

  static func page(_ memory: MemoryReport?) throws -> (html: String, files: [String: [UInt8]]) {
    var input = try SampleSite.input()
    input.memory = memory
    var files: [String: [UInt8]] = [:]
    for (path, bytes) in try SampleSite.files(input) { files[path] = bytes }
    return (String(decoding: try #require(files["memory.html"]), as: UTF8.self), files)
  }

  @Test func pageShowsBothModelsTheCurveAndTheErrors() throws {
    let (html, files) = try Self.page(Self.memory())
    #expect(html.contains("<b>1.250</b>") && html.contains("<b>1.750</b>"))
    #expect(html.contains("the LSTM is better by 0.500 bits"))  // 1.75 − 1.25
    #expect(html.contains("<td>4+</td><td>2</td><td>1.50</td><td>4.25</td>"))
    #expect(html.contains("<td>2–3</td><td>0</td><td>–</td><td>–</td>"))
    for id in ["ngram", "dynamicMemory", "rareWord", "wordStart", "punctuation", "other"] {
      #expect(html.contains("href=\"#class-\(id)\"") && html.contains("id=\"class-\(id)\""), "\(id)")
    }
    #expect(html.contains("<td>60.0%</td>"))  // 6 of 10 errors are n-gram errors
    // Every shown example has its boxed character; 5 examples in all.
    #expect(html.components(separatedBy: " fx\"").count - 1 == 5)
    for name in ["img/memory-closers.png", "img/memory-errors.png"] {
      let image = try PNGImage(decoding: try #require(files[name]))
      #expect(html.contains("src=\"\(name)\" width=\"\(image.width)\" height=\"\(image.height)\""))
    }
  }

  @Test func corpusTextIsEscaped() throws {
    let (html, _) = try Self.page(Self.memory())
    #expect(!html.contains("<script>document"))
    #expect(!html.contains("<img src=x"))
    #expect(!html.contains("<svg"))
    #expect(!html.contains("<b>train</b>"))
    #expect(html.contains("&lt;") && html.contains("&#39;X"))
  }

  @Test func withoutAComparisonThePageSaysWhy() throws {
    let (html, files) = try Self.page(nil)
    #expect(
      html.contains("the model&#39;s training text was not given")
        || html.contains("training text was not given"))
    #expect(files["img/memory-closers.png"] == nil && files["img/memory-errors.png"] == nil)
    #expect(!html.contains("class-ngram"))
  }

  @Test func sameInputGivesTheSameBytes() throws {
    let a = try Self.page(Self.memory()).files
    let b = try Self.page(Self.memory()).files
    #expect(a.keys.sorted() == b.keys.sorted())
    for (path, bytes) in a { #expect(bytes == b[path], "\(path)") }
  }
}
