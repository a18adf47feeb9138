import CharLSTM
import Foundation

/// Checks an output path before any work is done, so that no option — not even
/// `--force` — can make cellscope overwrite or delete what the user needs.
///
/// Call it first thing in a command, before training or analysing:
///
/// ```swift
/// try OutputGuard.checkFolder(site.out, inputs: [model, text, templates, features])  // report, run, demo
/// try OutputGuard.checkFile(out, inputs: [text, resume])  // train --out, analyze --out, record --out
/// ```
///
/// `inputs` are the paths the run reads (model, text, templates folder, features
/// file, a resumed checkpoint); empty strings and `-` (standard input) are
/// ignored, paths that do not exist yet are fine. Paths are compared after
/// resolving symbolic links, `.` and `..` against the current directory, and also
/// by device and inode, so a hard link or a bind mount of an input is caught too.
/// Every refusal is a ``CellscopeError/invalidOption(_:)`` or
/// ``CellscopeError/unwritableOutput(_:reason:)`` whose text is one sentence
/// naming the path and what to do.
public enum OutputGuard {
  /// Refuses a site folder `out` that is `/`, the home folder or a folder above
  /// it, the current directory or a folder above it, or a folder that holds any
  /// of `inputs` at any depth (the input itself, when it is a folder, included).
  ///
  /// Does not look at what the folder holds otherwise: whether a non-empty
  /// folder may be written is ``SiteWriter``'s decision (`--force`).
  public static func checkFolder(_ out: String, inputs: [String]) throws {
    let target = resolve(out)
    func refuse(_ why: String) -> CellscopeError {
      .invalidOption(
        "--out \(out) \(why), and cellscope never writes a site there, even with --force; choose a new folder such as site."
      )
    }
    if target == "/" { throw refuse("is the root folder") }
    for home in homeFolders() {
      if target == home { throw refuse("is your home folder") }
      if contains(target, home) { throw refuse("holds your home folder") }
    }
    let cwd = resolve(FileManager.default.currentDirectoryPath)
    if target == cwd { throw refuse("is the current folder") }
    if contains(target, cwd) { throw refuse("holds the current folder") }
    var info = stat()
    if stat(target, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR {
      throw CellscopeError.unwritableOutput(out, reason: "it is a file, not a folder")
    }
    let targetID = identity(target)
    for input in inputs where !input.isEmpty && input != "-" {
      let path = resolve(input)
      var inside = path == target || contains(target, path)
      // Device and inode of every folder above the input: catches a bind mount or
      // a second path to the same folder that string comparison misses.
      if !inside, let targetID {
        var folder = path
        while !inside {
          if identity(folder) == targetID { inside = true }
          if folder == "/" { break }
          folder = parent(folder)
        }
      }
      if inside { throw refuse("holds \(input), which this run reads") }
    }
  }

  /// Refuses an output file `out` that is an existing folder, whose folder does
  /// not exist or is not writable, or that is the same file as one of `inputs`
  /// (same resolved path, or same device and inode: a hard link or a symbolic
  /// link to it). An existing regular file that is no input is fine: writers
  /// replace it atomically.
  public static func checkFile(_ out: String, inputs: [String]) throws {
    let target = resolve(out)
    var info = stat()
    if stat(target, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      throw CellscopeError.invalidOption(
        "--out \(out) is a folder; give a file name, for example \(out)/model.safetensors.")
    }
    let folder = parent(target)
    var folderInfo = stat()
    guard stat(folder, &folderInfo) == 0, (folderInfo.st_mode & S_IFMT) == S_IFDIR else {
      throw CellscopeError.unwritableOutput(out, reason: "its folder \(folder) does not exist")
    }
    guard access(folder, W_OK | X_OK) == 0 else {
      throw CellscopeError.unwritableOutput(out, reason: "its folder \(folder) is not writable")
    }
    let targetID = identity(target)
    for input in inputs where !input.isEmpty && input != "-" {
      let path = resolve(input)
      if path == target || (targetID != nil && identity(path) == targetID) {
        throw CellscopeError.invalidOption(
          "--out \(out) is the same file as \(input), which this run reads; give another file name.")
      }
    }
  }

  /// The absolute path of `path` with every symbolic link, `.` and `..` resolved;
  /// the part that does not exist yet is appended as written (its `..` removed
  /// lexically). Relative paths are taken from the current directory.
  public static func resolve(_ path: String) -> String {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    var current = "/"
    for component in absolute.split(separator: "/") {
      if component == "." { continue }
      if component == ".." {
        current = parent(current)
        continue
      }
      let next = current == "/" ? "/" + component : current + "/" + component
      // Once a component is missing, no later one can exist: keep the rest lexical.
      if let real = realpath(next, nil) {
        current = String(cString: real)
        free(real)
      } else {
        current = next
      }
    }
    return current
  }

  /// The home folder, from `$HOME` and from the password database, resolved.
  static func homeFolders() -> [String] {
    var homes = Set<String>()
    if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { homes.insert(resolve(home)) }
    if let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir {
      let home = String(cString: dir)
      if !home.isEmpty { homes.insert(resolve(home)) }
    }
    return homes.sorted().filter { $0 != "/" }  // a home of "/" (some daemons) is the root rule's case
  }

  /// Whether `folder` is a strict ancestor of `path` (both resolved).
  static func contains(_ folder: String, _ path: String) -> Bool {
    folder == "/" ? path != "/" : path.hasPrefix(folder + "/")
  }

  /// The folder above a resolved path; "/" stays "/".
  static func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }

  /// Device and inode of an existing path (symbolic links followed), nil if it does not exist.
  static func identity(_ path: String) -> [UInt64]? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return [UInt64(info.st_dev), UInt64(info.st_ino)]
  }
}
