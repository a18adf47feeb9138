import Foundation
import Testing

/// `--ngram-train` and `--ngram-order` on `report`: the memory page's n-gram model.
@Suite struct NGramOptionsTests {
  typealias CLI = CommandLineTests

  @Test func reportWithNgramTrainWritesTheMemoryPage() throws {
    let dir = try CommandLineHabitsTests.trainedFolder()
    let r = try CLI.run(
      ["report", "m.safetensors", "t.txt", "--exact", "--ngram-train", "t.txt", "--ngram-order", "3"],
      in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let page = try String(contentsOfFile: dir + "/site/memory.html", encoding: .utf8)
    #expect(page.contains("order 3") && page.contains("t.txt (--ngram-train)"))
    #expect(FileManager.default.fileExists(atPath: dir + "/site/img/memory-closers.png"))
  }

  @Test func badNgramInputGetsOneSentenceAndNoSite() throws {
    let dir = try CommandLineHabitsTests.trainedFolder()
    try "Zürich".write(toFile: dir + "/other.txt", atomically: true, encoding: .utf8)
    let cases = [
      (["--ngram-order", "0"], "--ngram-order must be between 1 and 20"),
      (["--ngram-train", "missing.txt"], "no such file"),
      (["--ngram-train", "other.txt"], "not in the model's vocabulary"),
    ]
    for (args, message) in cases {
      let r = try CLI.run(["report", "m.safetensors", "t.txt", "--exact"] + args, in: dir)
      #expect(r.status != 0, "\(args)")
      #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
      #expect(!r.stderr.contains("Fatal error"), "\(r.stderr)")
      // Runtime errors are one line after the progress note; option errors add the usage.
      #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("error") }.count <= 1, "\(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: dir + "/site"), "\(args)")
    }
  }
}
