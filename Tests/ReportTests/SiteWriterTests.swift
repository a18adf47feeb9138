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
    #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("thesis.tex").path))
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(".cellscope-site").path))
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
