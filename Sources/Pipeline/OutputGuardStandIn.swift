import CharLSTM
import Foundation

// TEMPORARY STAND-IN: the site engineer's `Report.OutputGuard`
// (Sources/Report/OutputGuard.swift) has exactly these signatures and replaces
// this file at merge (delete this file then; the calls in the jobs stay as they are).

/// Refuses output paths that would destroy the user's inputs or folders.
enum OutputGuard {
  /// Refuses a checkpoint file `out` that is an existing folder or one of `inputs`
  /// (compared after resolving symlinks).
  ///
  /// - Throws: `CellscopeError.unwritableOutput` with one sentence saying why.
  static func checkFile(_ out: String, inputs: [String]) throws {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: out, isDirectory: &isDir), isDir.boolValue {
      throw CellscopeError.unwritableOutput(out, reason: "it is a folder, not a file name")
    }
    let target = resolved(out)
    for input in inputs where input != "-" && resolved(input) == target {
      throw CellscopeError.unwritableOutput(out, reason: "it is also an input of this command")
    }
  }

  /// Refuses an output folder `out` that is an existing file, the root, the home
  /// folder, the current folder or one above it, or a folder holding one of `inputs`.
  ///
  /// - Throws: `CellscopeError.unwritableOutput` with one sentence saying why.
  static func checkFolder(_ out: String, inputs: [String]) throws {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: out, isDirectory: &isDir), !isDir.boolValue {
      throw CellscopeError.unwritableOutput(out, reason: "it is a file, not a folder")
    }
    let target = resolved(out)
    let protected = ["/", resolved(NSHomeDirectory()), resolved(FileManager.default.currentDirectoryPath)]
    if protected.contains(where: {
      $0 == target || $0.hasPrefix(target.hasSuffix("/") ? target : target + "/")
    }) {
      throw CellscopeError.unwritableOutput(
        out, reason: "it is the root, home or current folder or a folder above it")
    }
    for input in inputs where input != "-" && resolved(input).hasPrefix(target + "/") {
      throw CellscopeError.unwritableOutput(out, reason: "it holds \(input), an input of this command")
    }
  }

  static func resolved(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
  }
}
