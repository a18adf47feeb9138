import CharLSTM
import Foundation
import Mustache

/// The site's templates and static assets, loaded from a templates folder.
///
/// Layout of the folder (see `Templates/README.md`):
///
/// - `layout.mustache`: the base page shell (head, navigation, legend, footer),
///   which page templates extend with `{{<layout}}…{{/layout}}`;
/// - `pages/NAME.mustache`: one template per kind of page;
/// - `partials/NAME.mustache`: repeated widgets, used as `{{>NAME}}`; one trailing
///   line break is dropped from each partial so that it can be used inline;
/// - `assets/`: files copied unchanged to `assets/` in the site.
///
/// Every template is registered under its file name without the extension, so
/// names must be unique across the folders.
struct TemplateSet {
  let folder: String
  let library: MustacheLibrary
  /// Asset paths relative to `assets/`, sorted, with their bytes.
  let assets: [(path: String, bytes: [UInt8])]

  /// The page templates every site needs.
  static let requiredPages = [
    "index", "cells", "cell", "predictions", "features", "feature", "samples", "gates", "explorer",
  ]

  init(folder: String) throws {
    self.folder = folder
    let fm = FileManager.default
    var library = MustacheLibrary()
    var seen = Set<String>()
    func load(_ relative: String, partial: Bool) throws {
      let path = (folder as NSString).appendingPathComponent(relative)
      guard let data = fm.contents(atPath: path) else {
        throw CellscopeError.unreadableFile(path, reason: "the template could not be read")
      }
      var text = String(decoding: data, as: UTF8.self)
      if partial, text.hasSuffix("\n") { text.removeLast() }
      let name = ((relative as NSString).lastPathComponent as NSString).deletingPathExtension
      guard seen.insert(name).inserted else {
        throw CellscopeError.invalidOption(
          "the templates folder \(folder) has two templates named \(name); rename one.")
      }
      do {
        try library.register(text, named: name)
      } catch let error as MustacheTemplate.ParserError {
        throw CellscopeError.unreadableFile(
          path,
          reason:
            "the template is malformed at line \(error.context.lineNumber), column \(error.context.columnNumber) (\(error.error))"
        )
      }
    }
    try load("layout.mustache", partial: false)
    for (sub, partial) in [("pages", false), ("partials", true)] {
      for name in try TemplateSet.files(in: folder, sub: sub) where name.hasSuffix(".mustache") {
        try load("\(sub)/\(name)", partial: partial)
      }
    }
    for page in TemplateSet.requiredPages where library.getTemplate(named: page) == nil {
      throw CellscopeError.unreadableFile(
        (folder as NSString).appendingPathComponent("pages/\(page).mustache"),
        reason: "the page template is missing from the templates folder")
    }
    self.library = library

    var assets: [(String, [UInt8])] = []
    let assetFolder = (folder as NSString).appendingPathComponent("assets")
    for name in try TemplateSet.files(in: folder, sub: "assets") {
      let path = (assetFolder as NSString).appendingPathComponent(name)
      guard let data = fm.contents(atPath: path) else {
        throw CellscopeError.unreadableFile(path, reason: "the asset could not be read")
      }
      assets.append((name, [UInt8](data)))
    }
    self.assets = assets
  }

  /// Renders the template `name` with `context`.
  func render(_ name: String, _ context: Any) throws -> String {
    guard let text = library.render(context, withTemplate: name) else {
      throw CellscopeError.unreadableFile(
        (folder as NSString).appendingPathComponent("pages/\(name).mustache"),
        reason: "the template is missing from the templates folder")
    }
    return text
  }

  /// Regular files directly in `folder/sub`, sorted by name; hidden files skipped.
  private static func files(in folder: String, sub: String) throws -> [String] {
    let dir = (folder as NSString).appendingPathComponent(sub)
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { return [] }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: dir)
    } catch {
      throw CellscopeError.unreadableFile(dir, reason: "the folder could not be listed")
    }
    return names.filter { name in
      var isDir: ObjCBool = false
      return !name.hasPrefix(".")
        && FileManager.default.fileExists(
          atPath: (dir as NSString).appendingPathComponent(name), isDirectory: &isDir)
        && !isDir.boolValue
    }.sorted()
  }
}
