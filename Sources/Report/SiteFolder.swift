import CharLSTM
import Foundation

/// The file-system side of writing a site: the marker and its manifest, the
/// lock, and the POSIX calls, each failure turned into one sentence (no
/// Foundation error text reaches the user).
enum SiteFolder {
  /// First line of a marker that lists the files cellscope wrote, one relative
  /// path per line after it, sorted by UTF-8 bytes.
  static let manifestHeader =
    "cellscope site: the files listed below were written by cellscope; re-running it replaces them and keeps everything else."

  /// The marker's bytes for the site's files (the marker itself not listed).
  static func manifest(_ paths: [String]) -> [UInt8] {
    let sorted = paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    return Array((([manifestHeader] + sorted).joined(separator: "\n") + "\n").utf8)
  }

  /// What an existing marker says: the listed files, or nil for an older marker
  /// without a manifest. Lines that are not a safe relative path are dropped, so
  /// a tampered marker cannot point outside the site.
  static func readManifest(_ text: String) -> [String]? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    guard lines.first == manifestHeader else { return nil }
    return lines.dropFirst().filter(isSafeRelativePath)
  }

  /// A relative path without empty, `.` or `..` components or control characters.
  static func isSafeRelativePath(_ path: String) -> Bool {
    guard !path.isEmpty, !path.hasPrefix("/"), !path.unicodeScalars.contains(where: { $0.value < 0x20 })
    else { return false }
    return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
      !$0.isEmpty && $0 != "." && $0 != ".."
    }
  }

  /// Files an older cellscope (marker without a manifest) may have written:
  /// pages, scripts, tables and JSON at the top; pages, plots, scripts and
  /// styles in its four folders. Never a `.git` folder, a `CNAME`, a
  /// `README.md`, a `*.safetensors`, a hidden file or a file of another kind.
  static func legacyFiles(in root: String) -> [String] {
    func ext(_ path: String) -> String { URL(fileURLWithPath: path).pathExtension }
    var found: [String] = []
    for folder in ["assets", "cells", "features", "img"] where kind(root + "/" + folder) == .folder {
      for entry in (try? FileManager.default.subpathsOfDirectory(atPath: root + "/" + folder)) ?? []
      where ["html", "js", "css", "png", "csv", "json"].contains(ext(entry)) {
        found.append(folder + "/" + entry)
      }
    }
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    where ["html", "js", "csv", "json"].contains(ext(entry)) {
      found.append(entry)
    }
    return found.filter { path in
      kind(root + "/" + path) == .file && !path.split(separator: "/").contains { $0.hasPrefix(".") }
    }
  }

  enum Kind { case missing, file, folder, other }

  /// What is at `path`, symbolic links not followed (a link counts as a file).
  static func kind(_ path: String) -> Kind {
    var info = stat()
    guard lstat(path, &info) == 0 else { return .missing }
    switch info.st_mode & S_IFMT {
    case S_IFDIR: return .folder
    case S_IFREG, S_IFLNK: return .file
    default: return .other
    }
  }

  /// A file operation that failed, with errno's words; `SiteWriter` names the site.
  struct Failure: Error {
    var what: String
    var code: Int32
    var sentence: String { "\(what) failed (\(String(cString: strerror(code)).lowercased()))" }
  }

  /// Writes `bytes` to a new file at `path` (its folder must exist).
  static func writeFile(_ path: String, _ bytes: [UInt8], shownAs: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw Failure(what: "creating \(shownAs)", code: errno) }
    defer { close(fd) }
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw Failure(what: "writing \(shownAs)", code: n < 0 ? errno : EIO) }
      done += n
    }
  }

  /// Creates the folders of `relative` below `root` that are missing (like `mkdir -p`).
  static func makeFolders(_ relative: String, in root: String) throws {
    var path = root
    for part in relative.split(separator: "/") {
      path += "/" + part
      if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw Failure(what: "creating the folder \(path)", code: errno)
      }
    }
  }

  /// Deletes the file `relative` below `root`, then its folders that became empty.
  /// Refuses to go through a symbolic link or a non-folder on the way.
  static func removeStale(_ relative: String, in root: String) {
    let parts = relative.split(separator: "/").map(String.init)
    var folder = root
    for part in parts.dropLast() {
      folder += "/" + part
      guard kind(folder) == .folder else { return }
    }
    guard kind(root + "/" + relative) == .file, unlink(root + "/" + relative) == 0 else { return }
    var rest = parts.dropLast()
    while !rest.isEmpty, rmdir(root + "/" + rest.joined(separator: "/")) == 0 { rest = rest.dropLast() }
  }

  /// Removes a folder we made and everything in it (no links followed).
  static func removeTree(_ path: String) {
    if kind(path) == .folder {
      for entry in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
        removeTree(path + "/" + entry)
      }
      rmdir(path)
    } else {
      unlink(path)
    }
  }
}

/// An exclusive `flock` on the site folder itself (no lock file is left behind),
/// held from before the old site is inspected until the new one is in place.
/// Refused at once, not waited on: a second run is most likely a mistake.
final class SiteLock {
  private let fd: Int32

  init(folder: String, shownAs: String) throws {
    fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else {
      throw CellscopeError.unwritableOutput(
        shownAs, reason: "it cannot be opened (\(String(cString: strerror(errno)).lowercased()))")
    }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      throw CellscopeError.invalidOption(
        "another cellscope run is writing \(shownAs); wait for it to finish or choose another --out.")
    }
  }

  deinit { close(fd) }  // closing releases the lock
}

/// Holds SIGINT, SIGTERM and SIGHUP back while files are being moved into the
/// site, so that an interrupt cannot leave it half old, half new; a signal that
/// came meanwhile is raised again afterwards with the previous handler back.
enum SignalDeferral {
  static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
  /// The last signal that came during the deferral (0: none); written by the handler only.
  nonisolated(unsafe) static var pending: sig_atomic_t = 0
  /// One deferral at a time in the process: handlers saved by one must not be restored by another.
  static let gate = NSLock()

  static func run<T>(_ body: () throws -> T) rethrows -> T {
    gate.lock()
    defer { gate.unlock() }
    pending = 0
    var saved: [sigaction] = []
    for number in signals {
      var old = sigaction()
      sigaction(number, nil, &old)
      saved.append(old)
      _ = signal(number) { SignalDeferral.pending = $0 }
    }
    defer {
      for (number, old) in zip(signals, saved) {
        var old = old
        sigaction(number, &old, nil)
      }
      // To the process, not this thread: a worker thread may block the signal.
      if pending != 0 { kill(getpid(), pending) }
    }
    return try body()
  }
}
