import Foundation
import Testing

@testable import Interpretability

// Reading features files: YAML and JSON, every validation error with the entry it names, size limits,
// labels files relative to the features file, and the committed examples.

@Suite struct FeatureFileTests {
  /// A fresh folder for one test's files.
  static func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "cellscope-features-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  static func write(_ text: String, _ name: String, in folder: URL) throws -> String {
    let path = folder.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static let yaml = """
    # Every kind once.
    features:
      - id: inline_math
        name: inside $...$
        kind: span
        open: $
        close: $
      - id: env_depth
        name: environment depth
        definition: How many LaTeX environments are open.
        kind: span
        open: '\\begin{'
        close: '\\end{'
        nested: true
      - id: command
        name: a command
        kind: regex
        pattern: '\\\\[a-z]+'
      - id: since_def
        name: since def
        kind: distance
        pattern: 'def '
      - id: tok
        name: token class
        kind: labels
        file: tags.txt
        per: line
    """

  static let json = """
    {"features": [
    \t{"id": "inline_math", "name": "inside $...$", "kind": "span", "open": "$", "close": "$"},
    \t{"id": "env_depth", "name": "environment depth", "definition": "How many LaTeX environments are open.",
    \t "kind": "span", "open": "\\\\begin{", "close": "\\\\end{", "nested": true},
    \t{"id": "command", "name": "a command", "kind": "regex", "pattern": "\\\\\\\\[a-z]+"},
    \t{"id": "since_def", "name": "since def", "kind": "distance", "pattern": "def "},
    \t{"id": "tok", "name": "token class", "kind": "labels", "file": "tags.txt", "per": "line"}
    ]}
    """

  @Test func yamlAndJSONGiveTheSameFeatures() throws {
    let dir = try Self.folder()
    _ = try Self.write("word\n\nmath\n", "tags.txt", in: dir)
    let fromYAML = try FeatureFile.load(path: try Self.write(Self.yaml, "f.yaml", in: dir))
    let fromJSON = try FeatureFile.load(path: try Self.write(Self.json, "f.json", in: dir))
    #expect(fromYAML.entries.map(\.id) == ["inline_math", "env_depth", "command", "since_def", "tok"])
    #expect(fromYAML.entries.map(\.kind) == fromJSON.entries.map(\.kind))
    #expect(fromYAML.entries.map(\.definition) == fromJSON.entries.map(\.definition))
    #expect(fromYAML.entries[1].kind == .span(open: "\\begin{", close: "\\end{", nested: true))
    #expect(fromYAML.entries[2].kind == .regex(pattern: "\\\\[a-z]+"))
    #expect(fromYAML.entries[0].line == 3)

    let text = Array("a $x$ \\alpha\n\n\\begin{b}def \\end{b}".unicodeScalars)  // three lines
    let features = try fromYAML.features(for: text)
    #expect(
      features.map(\.id) == ["inline_math", "env_depth", "command", "since_def", "tok_math", "tok_word"])
    #expect(features.map(\.kind) == [.binary, .graded, .binary, .graded, .binary, .binary])
    #expect(features[1].definition == "How many LaTeX environments are open.")
    #expect(features.allSatisfy { !$0.definition.isEmpty && !$0.name.isEmpty })
    let math = String(features[0].values(in: text).map { $0 == 1 ? "1" : "0" })
    #expect(math.prefix(6) == "001100")
    let command = features[2].values(in: text)
    #expect(command[6...11] == [1, 1, 1, 1, 1, 1] && command[5] == 0 && command[12] == 0)
  }

  /// The error for `yaml` parsed as "f.yaml" from `folder`, or nil when it is accepted.
  static func error(_ yaml: String, folder: URL? = nil) -> FeatureFileError? {
    do {
      _ = try FeatureFile.parse(yaml: yaml, file: "f.yaml", folder: folder?.path ?? "/nonexistent")
      return nil
    } catch {
      return error
    }
  }

  static func entryError(_ entry: Int, _ id: String?, _ problem: FeatureFileError.EntryProblem, line: Int = 1)
    -> FeatureFileError
  {
    .badEntry(file: "f.yaml", entry: entry, id: id, line: line, problem: problem)
  }

  @Test func everyEntryProblemNamesTheEntry() throws {
    let ok = "{id: ok, name: OK, kind: regex, pattern: x}"
    func list(_ entries: String...) -> String { "features: [" + entries.joined(separator: ", ") + "]" }
    let cases: [(String, FeatureFileError)] = [
      (list("{id: a, name: A, kind: spn}"), Self.entryError(1, "a", .unknownKind("spn"))),
      (list(ok, "{id: a, kind: regex, pattern: x}"), Self.entryError(2, "a", .missingField("name"))),
      (list("{name: A, kind: regex, pattern: x}"), Self.entryError(1, nil, .missingField("id"))),
      (
        list("{id: a, name: A, kind: span, open: '', close: b}"), Self.entryError(1, "a", .emptyField("open"))
      ),
      (list("{id: a, name: A, kind: span, open: a}"), Self.entryError(1, "a", .missingField("close"))),
      (list("{id: a, name: A, kind: span, open: ~, close: b}"), Self.entryError(1, "a", .emptyField("open"))),
      (list(ok, ok), Self.entryError(2, "ok", .duplicateID("ok", firstEntry: 1))),
      (
        list("{id: brace_depth, name: A, kind: regex, pattern: x}"),
        Self.entryError(1, "brace_depth", .builtInID("brace_depth"))
      ),
      (
        list("{id: InMath, name: A, kind: regex, pattern: x}"), Self.entryError(1, "InMath", .badID("InMath"))
      ),
      (
        list("{id: in__math, name: A, kind: regex, pattern: x}"),
        Self.entryError(1, "in__math", .badID("in__math"))
      ),
      (list("{id: 9a, name: A, kind: regex, pattern: x}"), Self.entryError(1, "9a", .badID("9a"))),
      (
        list("{id: a, name: A, kind: regex, pattren: x}"),
        Self.entryError(
          1, "a", .unknownField("pattren", allowed: ["id", "name", "definition", "kind", "pattern"]))
      ),
      (
        list("{id: a, name: A, kind: span, open: $, close: $, nested: true}"),
        Self.entryError(1, "a", .nestedToggle)
      ),
      (
        list("{id: a, name: A, kind: span, open: (, close: ), nested: maybe}"),
        Self.entryError(1, "a", .wrongType(field: "nested", expected: "true or false"))
      ),
      (
        list("{id: a, name: A, kind: span, open: [x, y], close: b}"),
        Self.entryError(1, "a", .wrongType(field: "open", expected: "a string"))
      ),
      (
        list("{id: a, name: A, kind: labels, file: t.txt, per: word}"),
        Self.entryError(1, "a", .badPer("word"))
      ),
      (
        list("{id: a, name: A, kind: labels, file: nope.txt}"),
        Self.entryError(1, "a", .labelsUnreadable(path: "nope.txt", reason: "there is no such file"))
      ),
      (list(ok, "just a string"), Self.entryError(2, nil, .notAMapping)),
    ]
    for (yaml, expected) in cases {
      let got = Self.error(yaml)
      #expect(got == expected, "\(yaml)")
      let sentence = got?.description ?? ""
      #expect(sentence.hasPrefix("f.yaml, entry ") && sentence.hasSuffix(".") && !sentence.contains("\n"))
    }
    // A bad pattern is refused with the pattern and a reason, for regex and distance alike.
    for (kind, pattern) in [("regex", "(a"), ("distance", "[z-a]"), ("regex", "a{2,1}")] {
      let got = Self.error(list(ok, "{id: a, name: A, kind: \(kind), pattern: '\(pattern)'}"))
      guard case .badEntry("f.yaml", 2, "a", 1, .badPattern(pattern, let reason)) = got else {
        Issue.record("\(pattern): \(String(describing: got))")
        continue
      }
      #expect(!reason.isEmpty && !reason.contains("\n"), "\(reason)")
    }
    // The sentence names the file, the entry, its id and line, and the problem.
    let sentence = Self.error(list(ok, "{id: a, name: A, kind: spn}"))?.description
    #expect(
      sentence
        == "f.yaml, entry 2 (id \"a\", line 1): unknown kind \"spn\"; use span, regex, distance or labels.")
  }

  @Test func badLayoutsAndSyntax() throws {
    #expect(
      Self.error("features: []") == .badLayout(file: "f.yaml", problem: "lists no features; add at least one")
    )
    let noList = FeatureFileError.badLayout(
      file: "f.yaml", problem: "must have a features: list at its top level")
    #expect(Self.error("") == noList)
    #expect(Self.error("[1, 2]") == noList)
    #expect(Self.error("features: {a: 1}") == noList)
    #expect(
      Self.error("features: [{id: a, name: A, kind: regex, pattern: x}]\nfeature: 1")
        == .badLayout(
          file: "f.yaml", problem: "has an unknown top-level field feature; only features: is read"))
    let many =
      "features:\n" + String(repeating: "  - {id: a, name: A, kind: regex, pattern: x}\n", count: 1001)
    #expect(
      Self.error(many)
        == .badLayout(file: "f.yaml", problem: "lists 1001 features, more than the 1000 allowed"))
    guard case .notYAML(let file, let reason) = Self.error("features: [{id: a,") else {
      Issue.record("a syntax error is notYAML")
      return
    }
    #expect(file == "f.yaml" && reason.hasPrefix("line ") && !reason.contains("\n"))
    guard case .notYAML = Self.error("features: [{id: a, id: b}]") else {
      Issue.record("a repeated key is notYAML")
      return
    }
  }

  @Test func filesAreCheckedBeforeParsing() throws {
    let dir = try Self.folder()
    // Over the size limit: refused by size, though its content would not even parse.
    let big = String(repeating: "[", count: FeatureFile.maxBytes + 1)
    let bigPath = try Self.write(big, "big.yaml", in: dir)
    #expect(
      throws: FeatureFileError.tooLarge(
        file: bigPath, bytes: FeatureFile.maxBytes + 1, limit: FeatureFile.maxBytes)
    ) {
      try FeatureFile.load(path: bigPath)
    }
    let missing = dir.appendingPathComponent("none.yaml").path
    #expect(throws: FeatureFileError.unreadable(file: missing, reason: "there is no such file")) {
      try FeatureFile.load(path: missing)
    }
    #expect(throws: FeatureFileError.unreadable(file: dir.path, reason: "it is a folder")) {
      try FeatureFile.load(path: dir.path)
    }
    let latin1 = dir.appendingPathComponent("latin1.yaml").path
    _ = FileManager.default.createFile(atPath: latin1, contents: Data([0x66, 0x3A, 0x20, 0xE9, 0x0A]))
    #expect(throws: FeatureFileError.unreadable(file: latin1, reason: "it is not UTF-8 text")) {
      try FeatureFile.load(path: latin1)
    }
  }

  @Test func labelsFilesAreRelativeToTheFeaturesFile() throws {
    let dir = try Self.folder()
    let sub = dir.appendingPathComponent("sub")
    try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
    _ = try Self.write("NN\nVB\n\nNN\n", "tags.txt", in: sub)
    let path = try Self.write(
      "features: [{id: pos, name: tag, kind: labels, file: tags.txt}]", "f.yaml", in: sub)
    let file = try FeatureFile.load(path: path)
    let features = try file.features(for: Array("ab c".unicodeScalars))
    #expect(features.map(\.id) == ["pos_nn", "pos_vb"])
    #expect(features[0].values(in: Array("ab c".unicodeScalars)) == [1, 0, 0, 1])
    // The same file against a text of another length: the count is refused, naming both numbers.
    #expect(
      throws: FeatureFileError.badEntry(
        file: path, entry: 1, id: "pos", line: 1,
        problem: .labelCount(path: "tags.txt", per: .character, got: 4, expected: 3))
    ) { try file.features(for: Array("abc".unicodeScalars)) }

    // A label whose id would be a built-in's, and too many labels.
    _ = try Self.write("digit\nx\n", "clash.txt", in: sub)
    #expect(
      Self.error("features: [{id: is, name: tag, kind: labels, file: clash.txt}]", folder: sub)
        == Self.entryError(1, "is", .labelIDClash(label: "digit", featureID: "is_digit")))
    _ = try Self.write("Nn\nnN\n", "same.txt", in: sub)
    #expect(
      Self.error("features: [{id: t, name: tag, kind: labels, file: same.txt}]", folder: sub)
        == Self.entryError(1, "t", .labelIDClash(label: "nN", featureID: "t_nn")))
    _ = try Self.write((0..<300).map { "l\($0)\n" }.joined(), "many.txt", in: sub)
    #expect(
      Self.error("features: [{id: t, name: tag, kind: labels, file: many.txt}]", folder: sub)
        == Self.entryError(1, "t", .tooManyLabels(path: "many.txt", count: 300, limit: LabelTable.maxLabels)))
  }

  /// The committed examples load, and give features for a text of their language.
  @Test(arguments: ["latex.yaml", "python.yaml", "markdown.yaml", "markdown.json"])
  func committedExamplesLoad(name: String) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let path = root.appendingPathComponent("examples/features/\(name)").path
    let file = try FeatureFile.load(path: path)
    #expect(file.entries.count >= 3)
    let sample = """
      # Title

      - item `c` % note
      def f(x):
          \"\"\"Doc.\"\"\"
          return "$a$" + 's' # c
      \\begin{eq}\\alpha\\end{eq} \\[y\\] [l](u) *e* **b** ```
      x
      ```

      """
    let text = Array(sample.unicodeScalars)
    let features = try file.features(for: text)
    #expect(features.count == file.entries.count)
    for feature in features {
      let values = feature.values(in: text)
      #expect(values.contains { $0 != values[0] }, "\(name): \(feature.id) changes on the sample")
    }
  }

  @Test func theJSONExampleIsTheMarkdownExample() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("examples/features")
    let yaml = try FeatureFile.load(path: folder.appendingPathComponent("markdown.yaml").path)
    let json = try FeatureFile.load(path: folder.appendingPathComponent("markdown.json").path)
    #expect(yaml.entries.map(\.id) == json.entries.map(\.id))
    #expect(yaml.entries.map(\.name) == json.entries.map(\.name))
    #expect(yaml.entries.map(\.kind) == json.entries.map(\.kind))
  }
}
