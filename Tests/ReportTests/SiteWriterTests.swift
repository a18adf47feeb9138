import CharLSTM
import Foundation
import Testing

@testable import Report

/// Writing is all or nothing, and never clobbers a folder that is not ours.
@Suite struct SiteWriterTests {
  @Test func refusesAForeignFolderUnlessForced() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("mine")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try Data("precious".utf8).write(to: out.appendingPathComponent("thesis.tex"))
    let error = #expect(throws: CellscopeError.self) {
      try SiteWriter.write(try SampleSite.input(), to: out.path, options: SampleSite.options)
    }
    #expect("\(error!)".contains("did not write") && "\(error!)".contains("--force"))
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("thesis.tex").path))

    var forced = SampleSite.options
    forced.force = true
    _ = try SiteWriter.write(try SampleSite.input(), to: out.path, options: forced)
    // --force adds the site; it never deletes what it did not write.
    #expect(
      FileManager.default.contents(atPath: out.appendingPathComponent("thesis.tex").path)
        == Data("precious".utf8))
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(".cellscope-site").path))
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path))
  }

  @Test func forceNeverWritesIntoAFolderHoldingAnInput() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("work")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let text = out.appendingPathComponent("text.txt")
    try Data("corpus".utf8).write(to: text)
    var options = SampleSite.options
    options.force = true
    options.inputs = [text.path]
    var rendered = 0
    let hooks = SiteWriter.Hooks(afterFile: { _ in rendered += 1 })
    let error = #expect(throws: CellscopeError.self) {
      try SiteWriter.write(try SampleSite.input(), to: out.path, options: options, hooks: hooks)
    }
    #expect(error.map { "\($0)".contains("holds \(text.path), which this run reads") } == true)
    #expect(rendered == 0, "refused before rendering")
    #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["text.txt"])
  }

  /// The files a user adds to a site: publishing (.git, CNAME), a model, notes, even inside cellscope's folders.
  static let userFiles: [(String, String)] = [
    (".git/HEAD", "ref: refs/heads/main\n"), (".git/objects/ab/cdef", "blob"),
    ("CNAME", "cells.example.org\n"),
    ("m.safetensors", "weights"), ("notes/todo.txt", "write the paper"), ("cells/mine.txt", "my note"),
    ("README.md", "# Publishing\n"),
  ]

  static func addUserFiles(to out: String) throws {
    for (path, text) in userFiles {
      let url = URL(fileURLWithPath: out + "/" + path)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url)
    }
  }

  @Test func aRerunKeepsWhatTheUserAddedAndDeletesOnlyItsStaleFiles() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    try SiteWriterTests.addUserFiles(to: out)

    var fewer = SampleSite.options
    fewer.topCells = 2  // two cell pages and their histograms become stale
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: fewer)
    let site = try SampleSite.files(try SampleSite.input(), options: fewer).map(\.0)
    let expected = (site + [".cellscope-site"] + SiteWriterTests.userFiles.map(\.0)).sorted()
    #expect(try SiteFiles.list(out) == expected)
    for (path, text) in SiteWriterTests.userFiles {
      #expect(try SiteFiles.bytes(out, path) == Array(text.utf8), "\(path) kept as it was")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["site"])
  }

  @Test func theMarkerListsExactlyTheFilesCellscopeWrote() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    let lines = String(decoding: try SiteFiles.bytes(out, ".cellscope-site"), as: UTF8.self)
      .split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("cellscope site: ") == true)
    let listed = Array(lines.dropFirst())
    #expect(listed == (try SiteFiles.list(out)).filter { $0 != ".cellscope-site" })
    #expect(listed == listed.sorted())
  }

  @Test func anOlderMarkerWithoutAManifestKeepsPublishingFilesAndModels() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    // What the previous version wrote as its marker, and files it wrote that this run will not.
    try Data("This folder was written by cellscope; re-running the report replaces it whole.\n".utf8)
      .write(to: URL(fileURLWithPath: out + "/.cellscope-site"))
    for stale in ["cells/l3-c-9.html", "img/old-plot.png", "old-page.html"] {
      try Data("stale".utf8).write(to: URL(fileURLWithPath: out + "/" + stale))
    }
    try SiteWriterTests.addUserFiles(to: out)
    try Data("w".utf8).write(to: URL(fileURLWithPath: out + "/img/second.safetensors"))

    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    let site = try SampleSite.files(try SampleSite.input()).map(\.0)
    let kept = SiteWriterTests.userFiles.map(\.0) + ["img/second.safetensors"]
    let listed = try SiteFiles.list(out)
    let wanted = (site + [".cellscope-site"] + kept).sorted()
    #expect(
      listed == wanted, "extra \(Set(listed).subtracting(wanted)), missing \(Set(wanted).subtracting(listed))"
    )
  }

  @Test func aTamperedManifestCannotDeleteOutsideTheSite() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    try Data("mine".utf8).write(to: dir.appendingPathComponent("outside.txt"))
    try FileManager.default.createDirectory(
      atPath: dir.path + "/elsewhere", withIntermediateDirectories: true)
    try Data("mine".utf8).write(to: URL(fileURLWithPath: dir.path + "/elsewhere/x.html"))
    try FileManager.default.createSymbolicLink(
      atPath: out + "/linked", withDestinationPath: dir.path + "/elsewhere")
    let header = String(decoding: try SiteFiles.bytes(out, ".cellscope-site"), as: UTF8.self)
      .split(separator: "\n")[0]
    let tampered = [
      String(header), "../outside.txt", dir.path + "/outside.txt", "cells/../../outside.txt", "linked/x.html",
    ]
    try Data((tampered.joined(separator: "\n") + "\n").utf8).write(
      to: URL(fileURLWithPath: out + "/.cellscope-site"))

    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    #expect(FileManager.default.fileExists(atPath: dir.path + "/outside.txt"))
    #expect(FileManager.default.fileExists(atPath: dir.path + "/elsewhere/x.html"))
  }

  @Test func keepsTheReadmeOfTheDefaultFolder() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let readme = Data("# Publishing\n".utf8)
    try readme.write(to: out.appendingPathComponent("README.md"))
    for _ in 0..<2 {
      _ = try SiteWriter.write(try SampleSite.input(), to: out.path, options: SampleSite.options)
      #expect(FileManager.default.contents(atPath: out.appendingPathComponent("README.md").path) == readme)
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path))
    }
    #expect(try SiteFiles.list(dir.path).allSatisfy { $0.hasPrefix("site/") }, "no temporary folders left")
  }

  @Test func missingOrUnwritableParentGivesAClearSentence() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = dir.appendingPathComponent("no/such/site").path
    let e1 = #expect(throws: CellscopeError.self) {
      try SiteWriter.write(try SampleSite.input(), to: missing, options: SampleSite.options)
    }
    #expect(
      "\(e1!)".hasPrefix("cannot write \(missing): its parent folder") && "\(e1!)".contains("does not exist"))

    // Root may write anywhere it has permission bits for, so use a read-only file system then.
    let parent: String
    if getuid() == 0 {
      parent = "/sys"
    } else {
      parent = dir.appendingPathComponent("locked").path
      try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
      chmod(parent, 0o555)
    }
    defer { chmod(parent, 0o755) }
    let target = parent + "/cellscope-site"
    let e2 = #expect(throws: CellscopeError.self) {
      try SiteWriter.write(try SampleSite.input(), to: target, options: SampleSite.options)
    }
    #expect("\(e2!)".hasPrefix("cannot write \(target): its parent folder \(parent) is not writable"))
  }

  @Test func aFailureMidWriteLeavesThePreviousSiteIntact() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site").path
    _ = try SiteWriter.write(try SampleSite.input(), to: out, options: SampleSite.options)
    let before = try SiteFiles.list(out).map { ($0, try SiteFiles.bytes(out, $0)) }

    struct Injected: Error {}
    var written = 0
    let hooks = SiteWriter.Hooks(afterFile: { _ in
      written += 1
      if written == 6 { throw Injected() }
    })
    var changed = try SampleSite.input()
    changed.samples = [TemperatureSample(label: "different", temperature: 2, text: "other")]
    let error = #expect(throws: CellscopeError.self) {
      try SiteWriter.write(changed, to: out, options: SampleSite.options, hooks: hooks)
    }
    #expect("\(error!)".contains("writing the site failed"))
    let after = try SiteFiles.list(out).map { ($0, try SiteFiles.bytes(out, $0)) }
    #expect(before.map(\.0) == after.map(\.0))
    #expect(before.map(\.1) == after.map(\.1))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["site"],
      "the temporary folder is gone")
  }

  @Test func refusesAFileInPlaceOfTheFolder() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("site.html")
    try Data("x".utf8).write(to: out)
    let error = #expect(throws: CellscopeError.self) {
      try SiteWriter.write(try SampleSite.input(), to: out.path, options: SampleSite.options)
    }
    #expect("\(error!)".contains("is a file, not a folder"))
  }
}

/// Finding the templates from an option, the environment or the package root.
@Suite struct TemplateLocatorTests {
  @Test func explicitFolderWinsAndABadOneIsAnError() throws {
    let found = try TemplateLocator.find(
      explicit: SampleSite.templates, environment: [:], executable: nil, currentDirectory: "/")
    #expect(found == SampleSite.templates)
    let error = #expect(throws: CellscopeError.self) {
      try TemplateLocator.find(
        explicit: "/nonexistent", environment: [:], executable: nil, currentDirectory: "/")
    }
    #expect("\(error!)".contains("--templates /nonexistent"))
  }

  @Test func environmentThenPackageRoot() throws {
    let viaEnv = try TemplateLocator.find(
      explicit: nil, environment: ["CELLSCOPE_TEMPLATES": SampleSite.templates], executable: nil,
      currentDirectory: "/")
    #expect(viaEnv == SampleSite.templates)
    let fromSources = try TemplateLocator.find(
      explicit: nil, environment: [:], executable: nil,
      currentDirectory: SampleSite.packageRoot + "/Sources/Report")
    #expect(fromSources == SampleSite.templates)
    let fromExecutable = try TemplateLocator.find(
      explicit: nil, environment: [:], executable: SampleSite.packageRoot + "/.build/debug/cellscope",
      currentDirectory: "/")
    #expect(fromExecutable == SampleSite.templates)
    let error = #expect(throws: CellscopeError.self) {
      try TemplateLocator.find(
        explicit: nil, environment: [:], executable: "/usr/bin/true", currentDirectory: "/")
    }
    #expect("\(error!)".contains("--templates"))
  }
}
