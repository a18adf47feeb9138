import CharLSTM
import Foundation
import Testing

@testable import Report

/// The output guard refuses the folders and files no option may overwrite.
@Suite struct OutputGuardTests {
  /// The refusal sentence for `out`, or nil if the guard lets it through.
  static func folderRefusal(_ out: String, inputs: [String] = []) -> String? {
    do {
      try OutputGuard.checkFolder(out, inputs: inputs)
      return nil
    } catch {
      return "\(error)"
    }
  }

  static func fileRefusal(_ out: String, inputs: [String] = []) -> String? {
    do {
      try OutputGuard.checkFile(out, inputs: inputs)
      return nil
    } catch {
      return "\(error)"
    }
  }

  @Test func refusesTheRootTheHomeAndTheCurrentFolder() throws {
    let root = try #require(OutputGuardTests.folderRefusal("/"))
    #expect(root.contains("--out / is the root folder") && root.contains("even with --force"))
    #expect(OutputGuardTests.folderRefusal("/tmp/../")?.contains("root folder") == true)

    let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
    if home != "/" {
      #expect(OutputGuardTests.folderRefusal(home)?.contains("is your home folder") == true)
      #expect(OutputGuardTests.folderRefusal(home + "/.")?.contains("is your home folder") == true)
    }

    let cwd = FileManager.default.currentDirectoryPath
    #expect(OutputGuardTests.folderRefusal(".")?.contains("--out . is the current folder") == true)
    #expect(OutputGuardTests.folderRefusal("")?.contains("is the current folder") == true)
    #expect(OutputGuardTests.folderRefusal(cwd)?.contains("is the current folder") == true)
    #expect(OutputGuardTests.folderRefusal("..")?.contains("holds the current folder") == true)
    let name = URL(fileURLWithPath: cwd).lastPathComponent
    #expect(OutputGuardTests.folderRefusal("../" + name)?.contains("is the current folder") == true)
    // A new folder below the current one is the normal case.
    #expect(OutputGuardTests.folderRefusal("site-\(UUID().uuidString)") == nil)
  }

  @Test func refusesAFolderHoldingAnInputAtAnyDepth() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    let site = dir.appendingPathComponent("site").path
    try fm.createDirectory(atPath: site + "/deep/er", withIntermediateDirectories: true)
    let model = site + "/deep/er/m.safetensors"
    try Data("weights".utf8).write(to: URL(fileURLWithPath: model))
    let text = dir.appendingPathComponent("text.txt").path
    try Data("corpus".utf8).write(to: URL(fileURLWithPath: text))

    let refusal = try #require(OutputGuardTests.folderRefusal(site, inputs: [text, model]))
    #expect(
      refusal
        == "--out \(site) holds \(model), which this run reads, and cellscope never writes a site there, even with --force; choose a new folder such as site."
    )
    // The same folder reached through "..", through a symbolic link, and the input through a link.
    #expect(OutputGuardTests.folderRefusal(dir.path + "/nothing/../site", inputs: [model]) != nil)
    try fm.createSymbolicLink(atPath: dir.path + "/link", withDestinationPath: site)
    #expect(OutputGuardTests.folderRefusal(dir.path + "/link", inputs: [model]) != nil)
    #expect(OutputGuardTests.folderRefusal(site, inputs: [dir.path + "/link/deep/er/m.safetensors"]) != nil)
    // A folder input (the templates) counts when it is the folder itself or inside it.
    #expect(OutputGuardTests.folderRefusal(site + "/deep", inputs: [site + "/deep"]) != nil)
    #expect(OutputGuardTests.folderRefusal(site, inputs: [site + "/deep"]) != nil)

    // Beside the inputs, or a folder that does not exist yet, is fine; "-" is standard input.
    #expect(OutputGuardTests.folderRefusal(dir.path + "/other", inputs: [text, model, "-", ""]) == nil)
    #expect(OutputGuardTests.folderRefusal(site + "/deep/new", inputs: [text, model]) == nil)
    #expect(OutputGuardTests.folderRefusal(dir.path + "/site2", inputs: [site + "/deep"]) == nil)
  }

  @Test func refusesAnOutputFileThatIsAnInput() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    let corpus = dir.appendingPathComponent("corpus.txt").path
    try Data("the corpus".utf8).write(to: URL(fileURLWithPath: corpus))

    let same = try #require(OutputGuardTests.fileRefusal(corpus, inputs: [corpus]))
    #expect(
      same == "--out \(corpus) is the same file as \(corpus), which this run reads; give another file name.")
    #expect(OutputGuardTests.fileRefusal(dir.path + "/x/../corpus.txt", inputs: [corpus]) != nil)
    try fm.createSymbolicLink(atPath: dir.path + "/link.txt", withDestinationPath: corpus)
    #expect(OutputGuardTests.fileRefusal(dir.path + "/link.txt", inputs: [corpus]) != nil)
    #expect(OutputGuardTests.fileRefusal(corpus, inputs: [dir.path + "/link.txt"]) != nil)
    // A hard link has its own path: only device and inode show it is the corpus.
    #expect(link(corpus, dir.path + "/hard.txt") == 0)
    #expect(
      OutputGuardTests.fileRefusal(dir.path + "/hard.txt", inputs: [corpus])?.contains("same file") == true)

    // A new file, or an existing file that is not read, is fine.
    #expect(OutputGuardTests.fileRefusal(dir.path + "/m.safetensors", inputs: [corpus, "-"]) == nil)
    try Data("old".utf8).write(to: dir.appendingPathComponent("old.safetensors"))
    #expect(OutputGuardTests.fileRefusal(dir.path + "/old.safetensors", inputs: [corpus]) == nil)
    #expect(try String(contentsOfFile: corpus, encoding: .utf8) == "the corpus")
  }

  @Test func refusesAFolderOrAMissingFolderAsAnOutputFile() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let folder = try #require(OutputGuardTests.fileRefusal(dir.path, inputs: []))
    #expect(folder.hasPrefix("--out \(dir.path) is a folder; give a file name"))
    let missing = dir.path + "/no/such/m.safetensors"
    #expect(
      OutputGuardTests.fileRefusal(missing)
        == "cannot write \(missing): its folder \(dir.path)/no/such does not exist; choose another location or fix its permissions."
    )
  }

  @Test func resolvesLinksDotsAndMissingTails() throws {
    let dir = try SampleSite.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    // The temporary folder may itself sit behind a link (/tmp on some systems): compare with its real path.
    let real = try FileManager.default.destinationOfSymbolicLinkOrSelf(dir.path)
    try FileManager.default.createDirectory(atPath: real + "/a/b", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: real + "/l", withDestinationPath: real + "/a/b")
    #expect(OutputGuard.resolve(real + "/l") == real + "/a/b")
    #expect(OutputGuard.resolve(real + "/l/../b/./c/d") == real + "/a/b/c/d")
    #expect(OutputGuard.resolve(real + "/a/missing/../b") == real + "/a/b")
    #expect(OutputGuard.resolve("/") == "/" && OutputGuard.resolve("/..") == "/")
  }
}

extension FileManager {
  /// The real path of a folder (one level of link followed is enough for /tmp).
  fileprivate func destinationOfSymbolicLinkOrSelf(_ path: String) throws -> String {
    URL(fileURLWithPath: path).resolvingSymlinksInPath().path
  }
}
