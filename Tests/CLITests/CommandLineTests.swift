import CharLSTM
import Foundation
import Testing

/// Runs the built `cellscope` executable as a user would: exit codes, messages,
/// files written and left alone.
struct CommandLineTests {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// The executable this test target depends on (Package.swift), so `swift build
  /// --build-tests` always rebuilds it first: it sits beside the test bundle in
  /// the same build folder. No fallback to another folder, which could hold a
  /// stale binary.
  static var executable: String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
      let path = candidate.appendingPathComponent("cellscope").path
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return dir.appendingPathComponent("cellscope").path  // fails in run() with the path it tried
  }

  static func run(_ args: [String], in dir: String, stdin: Data? = nil) throws -> Result {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let input = Pipe()
    p.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try p.run()
    if let stdin {
      input.fileHandleForWriting.write(stdin)
      try input.fileHandleForWriting.close()
    }
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Result(
      status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
      stderr: String(decoding: e, as: UTF8.self))
  }

  static func tempDir() -> String {
    let dir = NSTemporaryDirectory() + "cellscope-cli-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static let tiny = [
    "--rnn-size", "8", "--num-layers", "1", "--batch-size", "2", "--seq-length", "8", "--eval-every", "5",
  ]

  @Test func helpListsEverySubcommand() throws {
    let r = try Self.run(["--help"], in: Self.tempDir())
    #expect(r.status == 0)
    for command in ["demo", "train", "sample", "score", "analyze", "report", "run", "bench"] {
      #expect(r.stdout.contains(command), "help lacks \(command)")
    }
    let train = try Self.run(["train", "--help"], in: Self.tempDir())
    #expect(train.stdout.contains("--rnn-size") && train.stdout.contains("(default: 128)"))
  }

  @Test func trainSampleAndScoreEndToEnd() throws {
    let dir = Self.tempDir()
    let text = String(repeating: "abc abd \"quoted\" ", count: 40)
    try text.write(toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
    let train = try Self.run(
      ["train", "t.txt", "--out", "m.safetensors", "--max-steps", "10"] + Self.tiny, in: dir)
    #expect(train.status == 0, "\(train.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir + "/m.safetensors"))
    #expect(FileManager.default.fileExists(atPath: dir + "/m.best.safetensors"))
    let a = try Self.run(
      ["sample", "m.safetensors", "--length", "30", "--seed", "4", "--prime", "ab"], in: dir)
    let b = try Self.run(
      ["sample", "m.safetensors", "--length", "30", "--seed", "4", "--prime", "ab"], in: dir)
    #expect(a.status == 0 && a.stdout == b.stdout && a.stdout.hasPrefix("ab"))
    let bad = try Self.run(["sample", "m.safetensors", "--prime", "Z"], in: dir)
    #expect(bad.status != 0 && bad.stderr.contains("not in the model's vocabulary"))
    let score = try Self.run(["score", "m.safetensors", "t.txt"], in: dir)
    #expect(score.status == 0 && score.stdout.contains("bits/char") && score.stdout.contains("perplexity"))
    let perChar = try Self.run(["score", "m.safetensors", "t.txt", "--per-char"], in: dir)
    let lines = perChar.stdout.split(separator: "\n")
    #expect(lines.count == text.count)  // header + one line per predicted character
    #expect(lines[1].split(separator: "\t").count == 3)
  }

  /// The batch trains as two halves on two cores or one after the other: the
  /// checkpoint (weights, optimizer state, history, samples) is the same bytes.
  @Test func checkpointDoesNotDependOnTheThreadCount() throws {
    let dir = Self.tempDir()
    let text = String(repeating: "one \"two\" three (four) five. ", count: 30)
    try text.write(toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
    for threads in ["1", "2"] {
      let r = try Self.run(
        ["train", "t.txt", "--out", "m\(threads).safetensors", "--max-steps", "8", "--threads", threads]
          + Self.tiny + ["--eval-every", "4", "--dropout", "0.3", "--num-layers", "2", "--batch-size", "5"],
        in: dir)
      #expect(r.status == 0, "\(r.stderr)")
    }
    let one = FileManager.default.contents(atPath: dir + "/m1.safetensors")
    let two = FileManager.default.contents(atPath: dir + "/m2.safetensors")
    #expect(one != nil && one == two)
  }

  @Test func badTextGetsOneClearSentenceAndNoFile() throws {
    let dir = Self.tempDir()
    _ = FileManager.default.createFile(atPath: dir + "/empty.txt", contents: Data())
    _ = FileManager.default.createFile(atPath: dir + "/binary.txt", contents: Data([0x41, 0x00, 0x42, 0x43]))
    _ = FileManager.default.createFile(
      atPath: dir + "/latin1.txt", contents: Data([0x61, 0x62, 0xE9, 0x20, 0x63]))
    let cases = [
      ("empty.txt", "is empty"), ("binary.txt", "binary"),
      ("latin1.txt", "not valid UTF-8 (first bad byte at offset 2)"),
      ("missing.txt", "no such file"),
    ]
    for (file, message) in cases {
      let r = try Self.run(["train", file, "--out", "m.safetensors"] + Self.tiny, in: dir)
      #expect(r.status != 0, "\(file)")
      #expect(r.stderr.contains(message), "\(file): \(r.stderr)")
      #expect(!r.stderr.contains("Fatal error") && r.stderr.split(separator: "\n").count <= 2)
      #expect(!FileManager.default.fileExists(atPath: dir + "/m.safetensors"))
    }
  }

  @Test func corruptCheckpointAndUnwritableOutput() throws {
    let dir = Self.tempDir()
    _ = FileManager.default.createFile(atPath: dir + "/bad.safetensors", contents: Data("not a model".utf8))
    let r = try Self.run(["sample", "bad.safetensors"], in: dir)
    #expect(r.status != 0 && r.stderr.contains("not a valid cellscope checkpoint"))
    try String(repeating: "some text here. ", count: 40).write(
      toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
    let w = try Self.run(["train", "t.txt", "--out", "/nonexistent-dir/m.safetensors"] + Self.tiny, in: dir)
    #expect(w.status != 0 && w.stderr.contains("cannot write /nonexistent-dir/m.safetensors"))
  }

  @Test func resumeWithAnotherVocabularyIsRefused() throws {
    let dir = Self.tempDir()
    try String(repeating: "abc abd ", count: 60).write(
      toFile: dir + "/a.txt", atomically: true, encoding: .utf8)
    try String(repeating: "xyz xyw ", count: 60).write(
      toFile: dir + "/b.txt", atomically: true, encoding: .utf8)
    #expect(
      try Self.run(["train", "a.txt", "--out", "m.safetensors", "--max-steps", "3"] + Self.tiny, in: dir)
        .status == 0)
    let r = try Self.run(
      ["train", "b.txt", "--resume", "m.safetensors", "--out", "n.safetensors"] + Self.tiny, in: dir)
    #expect(r.status != 0 && r.stderr.contains("vocabulary mismatch"))
  }
}
