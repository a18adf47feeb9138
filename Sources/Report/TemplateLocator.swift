import CharLSTM
import Foundation

/// Finds the folder of Mustache templates and static assets the site is made from.
///
/// A folder qualifies when it holds `layout.mustache`. The search order is:
///
/// 1. the `--templates` option (an error if it does not qualify: the user asked for it),
/// 2. the `CELLSCOPE_TEMPLATES` environment variable (likewise),
/// 3. the installed location beside the executable: `share/cellscope/Templates`
///    next to it or one level up (a `bin/` + `share/` prefix), or `Templates` next to it,
/// 4. the package root: walking up from the executable's folder, then from the
///    current directory, to a folder holding both `Package.swift` and `Templates/`.
///
/// So `swift run cellscope` from any folder inside the checkout and an installed
/// binary both find their templates without options.
public enum TemplateLocator {
  /// The name of the environment variable naming a templates folder.
  public static let environmentVariable = "CELLSCOPE_TEMPLATES"

  /// The templates folder to use, as an absolute path.
  public static func find(explicit: String?) throws -> String {
    try find(
      explicit: explicit, environment: ProcessInfo.processInfo.environment,
      executable: executablePath(), currentDirectory: FileManager.default.currentDirectoryPath)
  }

  /// The search, with its inputs passed in (for tests).
  static func find(
    explicit: String?, environment: [String: String], executable: String?, currentDirectory: String
  ) throws -> String {
    func absolute(_ path: String) -> String {
      let expanded = (path as NSString).expandingTildeInPath
      let url =
        expanded.hasPrefix("/")
        ? URL(fileURLWithPath: expanded)
        : URL(fileURLWithPath: currentDirectory).appendingPathComponent(expanded)
      return url.standardizedFileURL.path
    }
    if let explicit {
      let path = absolute(explicit)
      guard qualifies(path) else {
        throw CellscopeError.invalidOption(
          "--templates \(explicit) is not a cellscope templates folder (it has no layout.mustache); give the Templates folder of a cellscope checkout or installation."
        )
      }
      return path
    }
    if let env = environment[environmentVariable], !env.isEmpty {
      let path = absolute(env)
      guard qualifies(path) else {
        throw CellscopeError.invalidOption(
          "\(environmentVariable)=\(env) is not a cellscope templates folder (it has no layout.mustache); fix or unset the variable."
        )
      }
      return path
    }
    var tried: [String] = []
    if let executable {
      let dir = URL(fileURLWithPath: absolute(executable)).resolvingSymlinksInPath()
        .deletingLastPathComponent()
      for candidate in [
        dir.appendingPathComponent("share/cellscope/Templates"),
        dir.deletingLastPathComponent().appendingPathComponent("share/cellscope/Templates"),
        dir.appendingPathComponent("Templates"),
      ] {
        let path = candidate.standardizedFileURL.path
        if qualifies(path) { return path }
      }
      if let root = packageRoot(above: dir.path) { return root }
      tried.append("beside and above \(dir.path)")
    }
    if let root = packageRoot(above: absolute(currentDirectory)) { return root }
    tried.append("above \(absolute(currentDirectory))")
    throw CellscopeError.invalidOption(
      "cannot find the report templates (looked \(tried.joined(separator: " and "))); pass --templates PATH or set \(environmentVariable) to the Templates folder of a cellscope checkout."
    )
  }

  /// `Templates` of the nearest folder at or above `start` holding `Package.swift` and `Templates/`.
  static func packageRoot(above start: String) -> String? {
    var dir = URL(fileURLWithPath: start).standardizedFileURL
    while true {
      let templates = dir.appendingPathComponent("Templates").path
      if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
        qualifies(templates)
      {
        return templates
      }
      let parent = dir.deletingLastPathComponent()
      if parent.path == dir.path { return nil }
      dir = parent
    }
  }

  /// Whether `path` is a folder holding `layout.mustache`.
  static func qualifies(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("layout.mustache"))
  }

  /// The running executable, symlinks resolved where Foundation knows it.
  static func executablePath() -> String? {
    if let url = Bundle.main.executableURL { return url.path }
    return CommandLine.arguments.first
  }
}
