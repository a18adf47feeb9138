// Reading a features file (`--features FILE`): YAML, or JSON (which is YAML), with a `features:` list of
// entries. Every entry is validated here, once, with an error naming the file, the entry and the problem;
// labels files are read here too, so that only the label count against the text is left for later.

import Foundation
import Yams

/// A validated features file: the user's feature definitions, ready to become `TextFeature` values.
///
/// Layout (YAML shown; the same structure as JSON works too):
///
///     features:
///       - id: inline_math          # snake_case, unique, not a built-in id
///         name: inside $...$       # short words for roles and pages
///         definition: ...          # optional; a precise rule is generated otherwise
///         kind: span               # span | regex | distance | labels
///         open: $                  # span: literal strings, non-empty
///         close: $
///         nested: false            # span: optional, true gives the graded depth
///       - {id: command, name: a command, kind: regex, pattern: '\\[a-zA-Z]+'}
///       - {id: since_def, name: since def, kind: distance, pattern: 'def '}
///       - {id: pos, name: part of speech, kind: labels, file: tags.txt, per: character}
///
/// Patterns are ICU regular expressions (Foundation's `NSRegularExpression`): `^` and `$` match at line
/// ends, `.` does not match a line end, matching is case-sensitive unless the pattern starts with `(?i)`.
/// A labels `file` is relative to the features file's folder; see `LabelTable` for its format.
public struct FeatureFile: Sendable {
  /// The path as the user gave it (used in messages; never written into outputs).
  public let file: String
  /// The entries in file order.
  public let entries: [UserFeatureSpec]

  /// Files larger than this are refused before parsing.
  public static let maxBytes = 4 << 20
  /// Lists longer than this are refused before any entry is read.
  public static let maxEntries = 1000

  /// Reads, parses and validates the features file at `path`, and the labels files it names.
  ///
  /// - Throws: `FeatureFileError` for a missing, unreadable, oversized, non-UTF-8 or invalid file.
  public static func load(path: String) throws(FeatureFileError) -> FeatureFile {
    let text: String
    do {
      text = try readText(path, limit: maxBytes)
    } catch {
      switch error {
      case .tooLarge(let bytes): throw .tooLarge(file: path, bytes: bytes, limit: maxBytes)
      case .unreadable(let reason): throw .unreadable(file: path, reason: reason)
      }
    }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    return try parse(yaml: text, file: path, folder: folder)
  }

  /// Parses and validates features given as YAML or JSON text; `file` names it in messages and labels
  /// files are looked up relative to `folder`.
  public static func parse(yaml: String, file: String, folder: String) throws(FeatureFileError) -> FeatureFile
  {
    guard yaml.utf8.count <= maxBytes else {
      throw .tooLarge(file: file, bytes: yaml.utf8.count, limit: maxBytes)
    }
    let root: Node?
    do {
      root = try Yams.compose(yaml: yaml)
    } catch {
      throw .notYAML(file: file, reason: Self.oneLine(error))
    }
    guard let top = root?.mapping else {
      throw .badLayout(file: file, problem: "must have a features: list at its top level")
    }
    for key in top.keys where key.scalar?.string != "features" {
      throw .badLayout(
        file: file,
        problem:
          "has an unknown top-level field \(key.scalar?.string ?? "that is not a name"); only features: is read"
      )
    }
    guard let list = top["features"]?.sequence else {
      throw .badLayout(file: file, problem: "must have a features: list at its top level")
    }
    guard !list.isEmpty else { throw .badLayout(file: file, problem: "lists no features; add at least one") }
    guard list.count <= maxEntries else {
      throw .badLayout(
        file: file, problem: "lists \(list.count) features, more than the \(maxEntries) allowed")
    }
    var reader = EntryReader(file: file, folder: folder)
    let entries = try list.enumerated().map { (k, node) throws(FeatureFileError) in
      try reader.read(node, entry: k + 1)
    }
    try checkLabelIDs(entries, file: file)
    return FeatureFile(file: file, entries: entries)
  }

  /// The features of every entry for `text` (the text that will be analysed, as scalars), in file
  /// order; a labels entry gives one feature per label, with id `<entry id>_<label as snake_case>`.
  ///
  /// - Parameters:
  ///   - text: the text the features are computed on: the analysed text, or with `cut` the whole file
  ///     it was cut from (`run` and `--held-out` read pieces of it; see `FeatureSourceMap`). A labels
  ///     file may then give one label per character (or line) of the file or of the analysed text.
  /// - Throws: `labelCount` when a labels file matches neither.
  public func features(for text: [Unicode.Scalar], cut: LabelCut? = nil) throws(FeatureFileError)
    -> [TextFeature]
  {
    var out: [TextFeature] = []
    for entry in entries { out += try entry.features(for: text, file: file, cut: cut) }
    return out
  }

  /// A label whose feature id equals a built-in id, an entry's id or another label's is refused here,
  /// before any text is read.
  private static func checkLabelIDs(_ entries: [UserFeatureSpec], file: String) throws(FeatureFileError) {
    var taken = Set(TextFeatures.all.map(\.id)).union(entries.map(\.id))
    for entry in entries {
      guard case .labels(_, _, let table) = entry.kind else { continue }
      for label in table.names {
        let id = "\(entry.id)_\(UserFeatureSpec.idSuffix(label))"
        guard taken.insert(id).inserted else {
          throw entry.badEntry(.labelIDClash(label: label, featureID: id), file: file)
        }
      }
    }
  }

  enum ReadFailure: Error {
    case unreadable(String)
    case tooLarge(Int)
  }

  /// The UTF-8 text of a regular file of at most `limit` bytes (checked before reading it).
  static func readText(_ path: String, limit: Int) throws(ReadFailure) -> String {
    let manager = FileManager.default
    var isFolder: ObjCBool = false
    guard manager.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw .unreadable("there is no such file")
    }
    guard !isFolder.boolValue else { throw .unreadable("it is a folder") }
    let attributes = try? manager.attributesOfItem(atPath: path)
    guard attributes?[.type] as? FileAttributeType == .typeRegular else {
      throw .unreadable("it is not a regular file")
    }
    if let size = (attributes?[.size] as? NSNumber)?.intValue, size > limit { throw .tooLarge(size) }
    guard let data = manager.contents(atPath: path) else { throw .unreadable("permission denied") }
    guard data.count <= limit else { throw .tooLarge(data.count) }
    guard let text = String(data: data, encoding: .utf8) else { throw .unreadable("it is not UTF-8 text") }
    return text
  }

  /// A Yams error on one line: position and problem, without the quoted snippet.
  static func oneLine(_ error: any Error) -> String {
    switch error as? YamlError {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      return "line \(mark.line), column \(mark.column): \(problem)"
    case .duplicatedKeysInMapping(let duplicates, _):
      return "a mapping repeats the key \(duplicates.first ?? "")"
    default:
      return "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable"
    }
  }
}
