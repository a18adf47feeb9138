import CharLSTM
import Foundation
import Testing

@testable import Report

/// Signals the test handler saw (written by the handler only).
nonisolated(unsafe) private var signalsSeen: sig_atomic_t = 0

/// Odd targets and two writers at once: a symbolic link, a folder that cannot be
/// renamed, concurrent runs, an interrupt while files are moved in.
@Suite struct SiteWriterTargetsTests {
  /// Every file of the site at `root` with its bytes, sorted by path.
  static func snapshot(_ root: String) throws -> [String: [UInt8]] {
    var files: [String: [UInt8]] = [:]
    for path in try SiteFiles.list(root) { files[path] = try SiteFiles.bytes(root, path) }
    return files
  }

  /// Polls `condition` for up to five seconds (a signal sent to the process lands on another thread).
  static func waitUntil(_ condition: () -> Bool) {
    for _ in 0..<500 where !condition() { usleep(10_000) }
  }

  /// A second input that renders different pages from the sample.
  static func otherInput() throws -> SiteInput {
    var input = try SampleSite.input()
    input.samples = [TemperatureSample(label: "other run", temperature: 2, text: "another text")]
    return input
  }

  @Test func aSymlinkedOutputStaysALinkAndItsFolderGetsTheSite() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    let real = dir.appendingPathComponent("real").path
    let link = dir.appendingPathComponent("link").path
    try fm.createDirectory(atPath: real, withIntermediateDirectories: true)
    try fm.createSymbolicLink(atPath: link, withDestinationPath: real)
    _ = try SiteWriter.write(try SampleSite.input(), to: link, options: SampleSite.options)
    _ = try SiteWriter.write(try SiteWriterTargetsTests.otherInput(), to: link, options: SampleSite.options)
    #expect(try fm.destinationOfSymbolicLink(atPath: link) == real, "still a link to the same folder")
    let expected = try SiteWriterTargetsTests.snapshot(dir.appendingPathComponent("reference").path) {
      try SiteWriter.write(try SiteWriterTargetsTests.otherInput(), to: $0, options: SampleSite.options)
    }
    #expect(try SiteWriterTargetsTests.snapshot(real) == expected, "the link's folder holds the new site")
    #expect(try fm.contentsOfDirectory(atPath: dir.path).sorted() == ["link", "real", "reference"])
  }

  /// Writes a site into a fresh folder `path` and returns its snapshot.
  static func snapshot(_ path: String, write: (String) throws -> SiteSummary) throws -> [String: [UInt8]] {
    _ = try write(path)
    return try snapshot(path)
  }

  /// A mount point cannot be renamed; the writer must never need to. Its inode
  /// staying the same shows the folder itself was neither renamed nor replaced.
  @Test func theTargetFolderItselfIsNeverReplaced() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("volume").path
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    var before = stat()
    #expect(stat(out, &before) == 0)
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    _ = try SiteWriter.write(try SiteWriterTargetsTests.otherInput(), to: out, options: SampleSite.options)
    var after = stat()
    #expect(stat(out, &after) == 0)
    #expect(before.st_ino == after.st_ino && before.st_dev == after.st_dev)
  }

  /// Like a volume mounted at /data: the folder is writable, the folder above it is not.
  @Test(.enabled(if: getuid() != 0, "root ignores permission bits"))
  func aWritableFolderUnderAReadOnlyParentWorks() throws {
    let dir = try SampleSite.temporaryFolder()
    defer {
      chmod(dir.path + "/locked", 0o755)
      try? FileManager.default.removeItem(at: dir)
    }
    let out = dir.path + "/locked/volume"
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    chmod(dir.path + "/locked", 0o555)
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    #expect(FileManager.default.fileExists(atPath: out + "/index.html"))
  }

  @Test func aSecondRunIntoTheSameFolderIsRefusedWhileTheFirstWrites() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    var secondError: String?
    var tried = false
    let hooks = SiteWriter.Hooks(afterFile: { _ in
      guard !tried else { return }
      tried = true
      do {
        _ = try SiteWriter.write(
          try SiteWriterTargetsTests.otherInput(), to: out, options: SampleSite.options)
      } catch {
        secondError = "\(error)"
      }
    })
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options, hooks: hooks)
    #expect(
      secondError == "another cellscope run is writing \(out); wait for it to finish or choose another --out."
    )
    let expected = try SiteWriterTargetsTests.snapshot(dir.appendingPathComponent("reference").path) {
      try SiteWriter.write(try SampleSite.input(), to: $0, options: SampleSite.options)
    }
    #expect(try SiteWriterTargetsTests.snapshot(out) == expected, "wholly the first run's site")
  }

  @Test(.timeLimit(.minutes(5)))
  func concurrentWritersLeaveWhollyOneRunsSite() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let inputs = [try SampleSite.input(), try SiteWriterTargetsTests.otherInput()]
    let references = try inputs.enumerated().map { index, input in
      try SiteWriterTargetsTests.snapshot(dir.appendingPathComponent("reference\(index)").path) {
        try SiteWriter.write(input, to: $0, options: SampleSite.options)
      }
    }
    let out = dir.appendingPathComponent("site").path
    final class Outcomes: @unchecked Sendable {
      let lock = NSLock()
      var written = 0
      var refused = 0
      var other: [String] = []
    }
    let outcomes = Outcomes()
    DispatchQueue.concurrentPerform(iterations: 2) { worker in
      for _ in 0..<3 {
        do {
          _ = try SiteWriter.write(inputs[worker], to: out, options: SampleSite.options)
          outcomes.lock.withLock { outcomes.written += 1 }
        } catch {
          let text = "\(error)"
          outcomes.lock.withLock {
            if text.hasPrefix("another cellscope run is writing") {
              outcomes.refused += 1
            } else {
              outcomes.other.append(text)
            }
          }
        }
      }
    }
    print("concurrent writers: \(outcomes.written) written, \(outcomes.refused) refused")
    #expect(outcomes.other.isEmpty, "\(outcomes.other)")
    #expect(outcomes.written >= 1 && outcomes.written + outcomes.refused == 6)
    let site = try SiteWriterTargetsTests.snapshot(out)
    #expect(site == references[0] || site == references[1], "the site is wholly one run's")
  }

  /// An interrupt while files are moved in is held back until the site is whole,
  /// then delivered to the handler that was there before.
  @Test func anInterruptDuringTheMoveWaitsUntilTheSiteIsWhole() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)

    // Under the writer's gate, so no concurrent write's deferral saves or restores around this.
    var previous = sigaction()
    SignalDeferral.gate.withLock {
      sigaction(SIGHUP, nil, &previous)
      signalsSeen = 0
      _ = signal(SIGHUP) { _ in signalsSeen += 1 }
    }
    defer { SignalDeferral.gate.withLock { _ = sigaction(SIGHUP, &previous, nil) } }
    var seenDuringMove: [sig_atomic_t] = []
    let hooks = SiteWriter.Hooks(afterMove: { _ in
      if seenDuringMove.isEmpty {
        // To the process, as a Ctrl-C is (this worker thread blocks signals); wait until it landed.
        kill(getpid(), SIGHUP)
        SiteWriterTargetsTests.waitUntil { SignalDeferral.pending != 0 }
      }
      seenDuringMove.append(signalsSeen)
    })
    _ = try SiteWriter.write(
      try SiteWriterTargetsTests.otherInput(), to: out, options: SampleSite.options, hooks: hooks)
    #expect(!seenDuringMove.isEmpty && seenDuringMove.allSatisfy { $0 == 0 }, "held back while moving")
    SiteWriterTargetsTests.waitUntil { signalsSeen != 0 }
    #expect(signalsSeen == 1, "delivered once afterwards, to the previous handler")
    let expected = try SiteWriterTargetsTests.snapshot(dir.appendingPathComponent("reference").path) {
      try SiteWriter.write(try SiteWriterTargetsTests.otherInput(), to: $0, options: SampleSite.options)
    }
    #expect(try SiteWriterTargetsTests.snapshot(out) == expected)
  }
}

extension SiteWriterTargetsTests {
  /// If the run were killed after any single move, the marker on disk would still
  /// name every file of cellscope's in the folder, so the next run can clean up.
  @Test func atEveryMomentOfTheMoveTheMarkerListsEveryFileOfCellscopes() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    var fewer = SampleSite.options
    fewer.topCells = 2
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: fewer)
    try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/CNAME"))

    var unlisted: Set<String> = []
    var moments = 0
    let hooks = SiteWriter.Hooks(afterMove: { _ in
      moments += 1
      let marker = (try? SiteFiles.bytes(out, ".cellscope-site")) ?? []
      let listed = Set(
        String(decoding: marker, as: UTF8.self).split(separator: "\n").dropFirst().map(String.init))
      let present = ((try? SiteFiles.list(out)) ?? []).filter {
        !$0.hasPrefix(".cellscope-new-") && $0 != ".cellscope-site" && $0 != "CNAME"
      }
      unlisted.formUnion(Set(present).subtracting(listed))
    })
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options, hooks: hooks)
    #expect(moments > 10)
    #expect(unlisted.isEmpty, "files a killed run would leave unlisted: \(unlisted.sorted())")
  }
}

/// File-system failures reach the user as one sentence of ours, never Foundation's text.
@Suite struct SiteWriterMessageTests {
  @Test func foundationErrorsAreNotQuoted() {
    let error = SiteWriter.describe(CocoaError(.fileWriteOutOfSpace), target: "out")
    #expect(
      "\(error)"
        == "cannot write out: writing the site failed; choose another location or fix its permissions.")
    let posix = SiteWriter.describe(
      SiteFolder.Failure(what: "writing index.html", code: ENOSPC), target: "out")
    #expect(
      "\(posix)".hasPrefix("cannot write out: writing the site failed: writing index.html failed (no space"))
  }

  @Test func somethingInTheWayIsRefusedBeforeTheSiteIsTouched() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    // A user's folder where the site writes a file: the move could not finish, so nothing moves.
    try FileManager.default.removeItem(atPath: out + "/samples.html")
    try FileManager.default.createDirectory(atPath: out + "/samples.html", withIntermediateDirectories: true)
    let before = try SiteWriterTargetsTests.snapshot(out)
    let error = #expect(throws: CellscopeError.self) {
      try SiteWriter.write(try SiteWriterTargetsTests.otherInput(), to: out, options: SampleSite.options)
    }
    let text = error.map { "\($0)" } ?? ""
    #expect(text.contains("samples.html is in the way") && !text.contains("NSCocoaErrorDomain"), "\(text)")
    #expect(try SiteWriterTargetsTests.snapshot(out) == before)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: out).allSatisfy { !$0.hasPrefix(".cellscope-new") })
  }
}
