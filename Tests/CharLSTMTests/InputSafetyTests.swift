import CharLSTM
import Foundation
import Synchronization
import Testing

/// Sizes that would overflow or exhaust memory, and inputs that are not regular
/// files, give one sentence (issue 11).
struct InputSafetyTests {
  @Test func aHugeBatchSizeIsTooShortNotAnOverflowTrap() {
    let indices = [Int32](repeating: 0, count: 1000)
    #expect {
      try Dataset(indices: indices, batch: Int.max, steps: 50, trainFrac: 0.9, valFrac: 0.05)
    } throws: { error in
      guard case .textTooShort(_, _, let got) = error as? CellscopeError else { return false }
      return got == 1000 && !"\(error)".contains("..")
    }
    #expect(throws: CellscopeError.self) {
      try Dataset(indices: indices, batch: 1 << 40, steps: 1 << 40, trainFrac: 0.9, valFrac: 0.05)
    }
  }

  @Test func hugeOrInvalidTrainingOptionsAreSentences() {
    let text = CheckpointSafetyTests.text
    var o = CheckpointSafetyTests.options()
    o.batchSize = Int.max
    #expect(throws: CellscopeError.self) { try Trainer(text: text, textName: "t", options: o) }
    o = CheckpointSafetyTests.options()
    o.checkpointEvery = 0  // a division by zero at the first step before
    #expect(throws: CellscopeError.self) { try Trainer(text: text, textName: "t", options: o) }
  }

  @Test func aHugeEpochCountDoesNotTrapInTheStepTotal() throws {
    var o = CheckpointSafetyTests.options()
    o.maxEpochs = 1e300
    o.maxSteps = nil
    let trainer = try Trainer(text: CheckpointSafetyTests.text, textName: "t", options: o)
    #expect(trainer.totalSteps == Int.max)
  }

  @Test func aFolderIsNamedAsAFolder() {
    let dir = CheckpointTests.tempDir()
    for load in [{ _ = try readText(path: dir) }, { _ = try Checkpoint.load(path: dir) }] {
      #expect(throws: CellscopeError.unreadableFile(dir, reason: "it is a folder, not a file")) { try load() }
    }
  }

  /// Pipes have no size: the whole stream must be read (`/dev/fd/N`, as `<(cat f)` gives).
  @Test func textAndCheckpointsReadFromPipes() throws {
    let text = String(repeating: "ünïcode text through a pipe\n", count: 5000)  // > one 64 KB pipe buffer
    #expect(try readText(path: pipePath(Array(text.utf8))) == text)
    let model = try CheckpointTests.smallCheckpoint()
    #expect(try Checkpoint.load(path: pipePath(try model.serialized())).parameters == model.parameters)
  }

  /// `-` reads standard input (swapped for a pipe for the duration).
  @Test func aDashReadsStandardInput() throws {
    let pipe = Pipe()
    let saved = dup(STDIN_FILENO)
    dup2(pipe.fileHandleForReading.fileDescriptor, STDIN_FILENO)
    defer {
      dup2(saved, STDIN_FILENO)
      close(saved)
    }
    pipe.fileHandleForWriting.write(Data("from stdin\n".utf8))
    try pipe.fileHandleForWriting.close()
    #expect(try readText(path: "-") == "from stdin\n")
  }

  /// A `/dev/fd/N` path whose pipe a background thread fills with `bytes`.
  func pipePath(_ bytes: [UInt8]) -> String {
    let pipe = Pipe()
    let writer = pipe.fileHandleForWriting
    Thread.detachNewThread {
      writer.write(Data(bytes))
      try? writer.close()
    }
    // The read end stays open as long as the Pipe object; keep it alive.
    Self.openPipes.withLock { $0.append(pipe) }
    return "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)"
  }

  static let openPipes = Mutex<[Pipe]>([])
}
