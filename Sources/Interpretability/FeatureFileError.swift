// The errors of a user's features file (`--features FILE`): each renders as one sentence that names the
// file, the entry (1-based index, id and line when known) and the problem, and says what to do.

/// A features file that cannot be used. `description` is one sentence for the user.
public enum FeatureFileError: Error, Equatable, CustomStringConvertible {
  /// The file (or a labels file it names) cannot be read: missing, a folder, no permission.
  case unreadable(file: String, reason: String)
  /// The file is larger than `limit` bytes; refused before parsing.
  case tooLarge(file: String, bytes: Int, limit: Int)
  /// The file is not UTF-8, or not YAML (JSON is YAML); `reason` is the parser's, on one line.
  case notYAML(file: String, reason: String)
  /// The top level is not a mapping with a non-empty `features:` list of at most `FeatureFile.maxEntries`.
  case badLayout(file: String, problem: String)
  /// Entry `entry` (1-based) is wrong; `id` is its id when it has a readable one, `line` its line.
  case badEntry(file: String, entry: Int, id: String?, line: Int?, problem: EntryProblem)

  /// What is wrong with one entry of a features file.
  public enum EntryProblem: Equatable, Sendable {
    case notAMapping
    case missingField(String)
    case emptyField(String)
    /// The field's value is not a plain string (or a boolean for `nested`).
    case wrongType(field: String, expected: String)
    /// A field the entry's kind does not have (often a typo); `allowed` lists the kind's fields.
    case unknownField(String, allowed: [String])
    case unknownKind(String)
    case badID(String)
    case duplicateID(String, firstEntry: Int)
    case builtInID(String)
    case badPattern(String, reason: String)
    /// `nested: true` with `open` equal to `close`: a toggle has no depth.
    case nestedToggle
    case badPer(String)
    /// The labels file cannot be read or is not UTF-8 text.
    case labelsUnreadable(path: String, reason: String)
    case labelsTooLarge(path: String, bytes: Int, limit: Int)
    case tooManyLabels(path: String, count: Int, limit: Int)
    /// The labels file has `got` labels (lines) where the text has `expected` characters or lines.
    /// `whole`: the count for the whole file the analysed text was cut from, when it was cut.
    case labelCount(path: String, per: LabelUnit, got: Int, expected: Int, whole: Int? = nil)
    /// Two labels, or a label and another feature, give the same feature id.
    case labelIDClash(label: String, featureID: String)
  }

  public var description: String {
    switch self {
    case .unreadable(let file, let reason):
      return "cannot read the features file \(file): \(reason)."
    case .tooLarge(let file, let bytes, let limit):
      return
        "the features file \(file) has \(bytes) bytes, more than the \(limit) allowed; a features file only describes features (labels go in their own files)."
    case .notYAML(let file, let reason):
      return "the features file \(file) is not valid YAML or JSON (\(reason)); fix its syntax."
    case .badLayout(let file, let problem):
      return "the features file \(file) \(problem)."
    case .badEntry(let file, let entry, let id, let line, let problem):
      var which = "entry \(entry)"
      switch (id, line) {
      case (let id?, let line?): which += " (id \"\(id)\", line \(line))"
      case (let id?, nil): which += " (id \"\(id)\")"
      case (nil, let line?): which += " (line \(line))"
      case (nil, nil): break
      }
      return "\(file), \(which): \(problem.sentence)."
    }
  }
}

extension FeatureFileError.EntryProblem {
  /// The problem as the second half of a sentence, without the final period.
  var sentence: String {
    switch self {
    case .notAMapping:
      return "an entry must be a mapping with id, name, kind and the kind's fields"
    case .missingField(let field):
      return "the field \(field) is missing; add it"
    case .emptyField(let field):
      return "the field \(field) is empty; give it a value"
    case .wrongType(let field, let expected):
      return "the field \(field) must be \(expected)"
    case .unknownField(let field, let allowed):
      return
        "unknown field \(field) for this kind (its fields are \(allowed.joined(separator: ", "))); remove or rename it"
    case .unknownKind(let kind):
      return "unknown kind \"\(kind)\"; use span, regex, distance or labels"
    case .badID(let id):
      return
        "the id \"\(id)\" is not snake_case; use lower-case letters, digits and single underscores, starting with a letter (at most 64 characters)"
    case .duplicateID(let id, let first):
      return "the id \"\(id)\" is already used by entry \(first); give each feature its own id"
    case .builtInID(let id):
      return "the id \"\(id)\" is a built-in feature's; choose another id"
    case .badPattern(let pattern, let reason):
      return
        "the pattern \"\(pattern)\" is not a valid regular expression (\(reason)); fix it or escape its special characters"
    case .nestedToggle:
      return
        "nested: true needs open and close to differ (equal delimiters toggle and have no depth); remove nested"
    case .badPer(let per):
      return "per must be character or line, not \"\(per)\""
    case .labelsUnreadable(let path, let reason):
      return "cannot read the labels file \(path): \(reason)"
    case .labelsTooLarge(let path, let bytes, let limit):
      return "the labels file \(path) has \(bytes) bytes, more than the \(limit) allowed"
    case .tooManyLabels(let path, let count, let limit):
      return
        "the labels file \(path) has \(count) distinct labels, more than the \(limit) allowed; merge some"
    case .labelCount(let path, let per, let got, let expected, let whole):
      let unit = per == .character ? "character" : "line"
      if let whole, whole != expected {
        return
          "the labels file \(path) has \(got) labels but the analysed text has \(expected) \(unit)s and the whole file \(whole); give exactly one label line per \(unit) of either"
      }
      return
        "the labels file \(path) has \(got) labels but the text has \(expected) \(unit)s; give exactly one label line per \(unit) of the analysed text"
    case .labelIDClash(let label, let featureID):
      return
        "the label \"\(label)\" gives the feature id \"\(featureID)\", which another label or feature already has; rename the label"
    }
  }
}
