// Validation of one entry of a features file: fields, types, ids, patterns and labels files. Each check
// throws the first problem it finds as `FeatureFileError.badEntry`, naming the entry by index, id and line.

import Foundation
import Yams

/// Reads the entries of one features file in order, remembering the ids seen so far.
struct EntryReader {
  let file: String
  let folder: String
  private var firstEntryOfID: [String: Int] = [:]
  private static let builtInIDs = Set(TextFeatures.all.map(\.id))

  init(file: String, folder: String) {
    self.file = file
    self.folder = folder
  }

  static let commonFields = ["id", "name", "definition", "kind"]
  static let kindFields: [String: [String]] = [
    "span": ["open", "close", "nested"], "regex": ["pattern"], "distance": ["pattern"],
    "labels": ["file", "per"],
  ]

  mutating func read(_ node: Node, entry: Int) throws(FeatureFileError) -> UserFeatureSpec {
    let line = node.mark?.line
    guard let fields = node.mapping else {
      throw .badEntry(file: file, entry: entry, id: nil, line: line, problem: .notAMapping)
    }
    // The id as written names the entry in every message, even when it is not a valid id.
    let writtenID = fields["id"]?.scalar?.string
    func fail(_ problem: FeatureFileError.EntryProblem) -> FeatureFileError {
      .badEntry(
        file: file, entry: entry, id: writtenID.flatMap { $0.isEmpty ? nil : $0 }, line: line,
        problem: problem)
    }
    func optional(_ field: String) throws(FeatureFileError) -> String? {
      guard let value = fields[field] else { return nil }
      guard let scalar = value.scalar else { throw fail(.wrongType(field: field, expected: "a string")) }
      return value.null != nil ? "" : scalar.string
    }
    func required(_ field: String) throws(FeatureFileError) -> String {
      guard let value = try optional(field) else { throw fail(.missingField(field)) }
      guard !value.isEmpty else { throw fail(.emptyField(field)) }
      return value
    }

    let id = try required("id")
    guard Self.isSnakeCase(id) else { throw fail(.badID(id)) }
    guard !Self.builtInIDs.contains(id) else { throw fail(.builtInID(id)) }
    if let first = firstEntryOfID[id] { throw fail(.duplicateID(id, firstEntry: first)) }
    firstEntryOfID[id] = entry
    let name = try required("name")
    let definition = try optional("definition")
    if definition == "" { throw fail(.emptyField("definition")) }
    let kindName = try required("kind")
    guard let kindFields = Self.kindFields[kindName] else { throw fail(.unknownKind(kindName)) }
    let allowed = Self.commonFields + kindFields
    for key in fields.keys {
      let field = key.scalar?.string ?? "\(key.any)"
      if !allowed.contains(field) { throw fail(.unknownField(field, allowed: allowed)) }
    }

    let kind: UserFeatureSpec.Kind
    switch kindName {
    case "span":
      let open = try required("open"), close = try required("close")
      var nested = false
      if let value = fields["nested"] {
        guard value.scalar != nil, let flag = value.bool else {
          throw fail(.wrongType(field: "nested", expected: "true or false"))
        }
        nested = flag
      }
      if nested && open == close { throw fail(.nestedToggle) }
      kind = .span(open: open, close: close, nested: nested)
    case "regex", "distance":
      let pattern = try required("pattern")
      do {
        _ = try FeatureRegex.compile(pattern)
      } catch {
        throw fail(.badPattern(pattern, reason: error.reason))
      }
      kind = kindName == "regex" ? .regex(pattern: pattern) : .distance(pattern: pattern)
    default:  // labels
      let path = try required("file")
      let perName = try optional("per") ?? LabelUnit.character.rawValue
      guard let per = LabelUnit(rawValue: perName) else { throw fail(.badPer(perName)) }
      kind = .labels(file: path, per: per, table: try readLabels(path, fail: fail))
    }
    return UserFeatureSpec(id: id, name: name, definition: definition, kind: kind, entry: entry, line: line)
  }

  /// The labels file `path`, relative to the features file's folder unless absolute.
  private func readLabels(
    _ path: String, fail: (FeatureFileError.EntryProblem) -> FeatureFileError
  ) throws(FeatureFileError) -> LabelTable {
    let full = path.hasPrefix("/") ? path : URL(fileURLWithPath: folder).appendingPathComponent(path).path
    let text: String
    do {
      text = try FeatureFile.readText(full, limit: LabelTable.maxBytes)
    } catch {
      switch error {
      case .tooLarge(let bytes):
        throw fail(.labelsTooLarge(path: path, bytes: bytes, limit: LabelTable.maxBytes))
      case .unreadable(let reason): throw fail(.labelsUnreadable(path: path, reason: reason))
      }
    }
    let table = LabelTable(text: text)
    guard table.names.count <= LabelTable.maxLabels else {
      throw fail(.tooManyLabels(path: path, count: table.names.count, limit: LabelTable.maxLabels))
    }
    return table
  }

  /// Lower-case ASCII letters and digits in words joined by single underscores, starting with a letter,
  /// at most 64 characters: `in_math`, `since_def2`.
  static func isSnakeCase(_ id: String) -> Bool {
    guard id.utf8.count <= 64, let first = id.unicodeScalars.first, ("a"..."z").contains(first) else {
      return false
    }
    guard !id.hasSuffix("_"), !id.contains("__") else { return false }
    return id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
  }
}
