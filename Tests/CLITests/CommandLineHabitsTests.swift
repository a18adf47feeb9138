import Foundation
import Testing

/// The command line's spellings, exit codes and safety checks (issues 11 and 12),
/// run through the built executable.
struct CommandLineHabitsTests {
  typealias CLI = CommandLineTests

  /// A folder with a text and a tiny trained model `m.safetensors`.
  static func trainedFolder() throws -> String {
    let dir = CLI.tempDir()
    try String(repeating: "abc abd \"quoted\" (x) ", count: 40).write(
      toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
    let r = try CLI.run(["train", "t.txt", "--out", "m.safetensors", "--max-steps", "3"] + CLI.tiny, in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    return dir
  }

  @Test func theTextHasOneSpellingAndThePositionalAlias() throws {
    let dir = try Self.trainedFolder()
    let positional = try CLI.run(["score", "m.safetensors", "t.txt"], in: dir)
    let option = try CLI.run(["score", "m.safetensors", "--text", "t.txt"], in: dir)
    #expect(positional.status == 0 && option.status == 0)
    #expect(option.stdout == positional.stdout && option.stdout.contains("bits/char"))
    let train = try CLI.run(
      ["train", "--text", "t.txt", "--model", "n.safetensors", "--max-steps", "3"] + CLI.tiny, in: dir)
    #expect(train.status == 0, "\(train.stderr)")
    #expect(train.stderr.contains("done: 3 steps"), "\(train.stderr)")
    #expect(
      FileManager.default.contents(atPath: dir + "/n.safetensors")
        == FileManager.default.contents(
          atPath: dir + "/m.safetensors"))
    let analyze = try CLI.run(["analyze", "m.safetensors", "t.txt", "--out", "a", "--top", "2"], in: dir)
    #expect(analyze.status == 0 && FileManager.default.fileExists(atPath: dir + "/a/cells.csv"))
    let twice = try CLI.run(["score", "m.safetensors", "t.txt", "--text", "other.txt"], in: dir)
    #expect(twice.status == 1 && twice.stderr.contains("give the text once"))
  }

  @Test func usageErrorsExitOneAsTheREADMESays() throws {
    let dir = try Self.trainedFolder()
    for args in [
      ["train"], ["train", "t.txt", "--rnn-size", "0"], ["train", "t.txt", "--optimizer", "sgd"],
      ["bench", "--config", "2,128,50"], ["report", "m.safetensors"], ["nonsense"],
    ] {
      let r = try CLI.run(args, in: dir)
      #expect(r.status == 1, "\(args): \(r.status) \(r.stderr)")
      #expect(r.stderr.contains("Error:"), "\(args)")
    }
  }

  @Test func trainRefusesToOverwriteItsCorpus() throws {
    let dir = try Self.trainedFolder()
    let before = FileManager.default.contents(atPath: dir + "/t.txt")
    let r = try CLI.run(["train", "t.txt", "--out", "t.txt"] + CLI.tiny, in: dir)
    #expect(r.status == 1 && r.stderr.contains("is the same file as t.txt"), "\(r.stderr)")
    #expect(FileManager.default.contents(atPath: dir + "/t.txt") == before)
  }

  @Test func trainRefusesAnExistingFolderBeforeTraining() throws {
    let dir = try Self.trainedFolder()
    try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: false)
    let r = try CLI.run(["train", "t.txt", "--out", "out"] + CLI.tiny, in: dir)
    #expect(r.status == 1 && r.stderr.contains("out") && r.stderr.contains("folder"), "\(r.stderr)")
    #expect(!r.stderr.contains("training:"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out").isEmpty)
    #expect(!FileManager.default.fileExists(atPath: dir + "/out.best.safetensors"))
  }

  @Test func runChecksTheSiteFolderBeforeTraining() throws {
    let dir = try Self.trainedFolder()
    _ = FileManager.default.createFile(atPath: dir + "/site", contents: Data("mine".utf8))
    let r = try CLI.run(["run", "t.txt", "--model", "r.safetensors", "--out", "site"] + CLI.tiny, in: dir)
    #expect(r.status == 1 && r.stderr.contains("cannot write site"))
    #expect(!r.stderr.contains("training:"))
    #expect(!FileManager.default.fileExists(atPath: dir + "/r.safetensors"))
  }

  @Test func maxCharsOnReportPointsToReportsOwnOptions() throws {
    let dir = try Self.trainedFolder()
    let r = try CLI.run(["report", "m.safetensors", "--text", "t.txt", "--max-chars", "1"], in: dir)
    #expect(r.status == 1)
    #expect(r.stderr.contains("--max-chars") && !r.stderr.contains("--batch-size"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir + "/site"))
  }

  @Test func resumeSaysWhichOptionsItTakesFromWhere() throws {
    let dir = try Self.trainedFolder()
    let base = ["train", "t.txt", "--resume", "m.safetensors", "--out", "n.safetensors", "--max-steps", "5"]
    let r = try CLI.run(base + CLI.tiny, in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("from the checkpoint:") && r.stderr.contains("from the command line: "))
    // A different model shape on resume is refused with one sentence, before any training.
    let refused = try CLI.run(base + CLI.tiny + ["--rnn-size", "16"], in: dir)
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("--rnn-size 8") && refused.stderr.contains("--rnn-size 16"), "\(refused.stderr)"
    )
    #expect(!refused.stderr.contains("training:"))
  }

  /// Ctrl-C during training saves the model and exits 130, so `train && report` stops.
  @Test func interruptedTrainingExits130() throws {
    let dir = try Self.trainedFolder()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CLI.executable)
    p.arguments = ["train", "t.txt", "--out", "i.safetensors", "--max-epochs", "1000000"] + CLI.tiny
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    let errPath = dir + "/stderr.txt"
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    // Interrupt only once training runs (the handler is installed by then).
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline,
      !(String(data: FileManager.default.contents(atPath: errPath) ?? Data(), encoding: .utf8) ?? "")
        .contains("training:")
    {
      Thread.sleep(forTimeInterval: 0.05)
    }
    p.interrupt()
    // A run that ignores Ctrl-C must fail the test, not hang it.
    let stopDeadline = Date().addingTimeInterval(60)
    while p.isRunning && Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.05) }
    if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    p.waitUntilExit()
    let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
    #expect(p.terminationReason == .exit && p.terminationStatus == 130, "\(stderr)")
    #expect(stderr.contains("interrupted: saved the model"))
    #expect(FileManager.default.fileExists(atPath: dir + "/i.safetensors"))
  }

  /// `-` reads standard input; `run` reads it once for training and the report.
  @Test func dashReadsStandardInput() throws {
    let dir = try Self.trainedFolder()
    let text = try String(contentsOfFile: dir + "/t.txt", encoding: .utf8)
    for args in [
      ["score", "m.safetensors", "-"], ["analyze", "m.safetensors", "--text", "-", "--out", "a"],
      ["report", "m.safetensors", "--text", "-", "--out", "s"],
      ["train", "-", "--out", "d.safetensors", "--max-steps", "2"] + CLI.tiny,
      ["run", "--text", "-", "--model", "r.safetensors", "--out", "rs", "--max-steps", "2"] + CLI.tiny,
    ] {
      let r = try CLI.run(args, in: dir, stdin: Data(text.utf8))
      #expect(r.status == 0, "\(args): \(r.stderr)")
    }
    #expect(FileManager.default.fileExists(atPath: dir + "/rs/index.html"))
  }
}
