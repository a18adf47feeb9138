import CharLSTM
import Foundation
import Testing

@testable import Interpretability

// User features appended to the built-ins go through the Analyzer like built-ins: scored, baselined
// against the current character and ranked, so a cell that tracks a user span gets it as its role.

@Suite struct UserFeatureAnalysisTests {
  /// PlantedCellTests' text with every " replaced by $: inline "math" that no built-in feature knows.
  static let text = PlantedCellTests.text.replacingOccurrences(of: "\"", with: "$")

  static let featuresYAML = """
    features:
      - id: dollar_math
        name: inside $...$
        kind: span
        open: $
        close: $
      - id: since_newline
        name: characters since a line end
        kind: distance
        pattern: '\\n'
    """

  /// One layer of 3 cells: cell 0 toggles its sign at every $ (PlantedCellTests' toggle, with $ for "),
  /// cells 1 and 2 have small random weights.
  static func checkpoint() throws -> Checkpoint {
    let vocabulary = try Vocabulary(text: text)
    let V = vocabulary.count, H = 3
    let config = ModelConfig(vocabSize: V, hiddenSize: H, numLayers: 1)
    let layout = ParameterLayout(config)
    var p = [Float](repeating: 0, count: layout.count)
    let lw = layout.layers[0]
    let dollar = Int(vocabulary.index(of: UInt32(("$" as Unicode.Scalar).value))!)
    // Gate rows in PyTorch's fused order: i = 0, f = 1, g = 2, o = 3; row = gate·H + cell.
    func ih(_ gate: Int, _ cell: Int, _ column: Int) -> Int { lw.weightIH + (gate * H + cell) * V + column }
    func hh(_ gate: Int, _ cell: Int, _ column: Int) -> Int { lw.weightHH + (gate * H + cell) * H + column }
    func bias(_ gate: Int, _ cell: Int) -> Int { lw.biasIH + gate * H + cell }
    p[bias(0, 0)] = -12
    p[ih(0, 0, dollar)] = 24  // i ≈ 1 at a $, ≈ 0 elsewhere
    p[bias(1, 0)] = 12
    p[ih(1, 0, dollar)] = -24  // f ≈ 0 at a $, ≈ 1 elsewhere
    p[hh(2, 0, 0)] = -20  // g = -sign(h_prev), and -1 from h = 0
    p[bias(2, 0)] = -3
    p[bias(3, 0)] = 12  // o ≈ 1
    var rng = SeededGenerator(seed: 5)
    for gate in 0..<4 {
      for cell in 1..<H {
        for x in 0..<V { p[ih(gate, cell, x)] = Float(rng.uniform(-0.5, 0.5)) }
        for j in 0..<H { p[hh(gate, cell, j)] = Float(rng.uniform(-0.5, 0.5)) }
        p[bias(gate, cell)] = Float(rng.uniform(-0.5, 0.5))
      }
    }
    for j in 0..<(V * H) { p[layout.decoderWeight + j] = Float(rng.uniform(-0.3, 0.3)) }
    return Checkpoint(config: config, vocabulary: vocabulary, parameters: p)
  }

  @Test func aCellTrackingAUserSpanGetsItAsItsRole() throws {
    let file = try FeatureFile.parse(yaml: Self.featuresYAML, file: "math.yaml", folder: "/nonexistent")
    let user = try file.features(for: Array(Self.text.unicodeScalars))
    let analysis = try Analyzer(
      checkpoint: Self.checkpoint(), options: Fixtures.exact(), features: TextFeatures.all + user
    ).analyze(text: Self.text, textName: "math.txt")

    #expect(analysis.features.map(\.id) == TextFeatures.all.map(\.id) + ["dollar_math", "since_newline"])
    let f = try #require(analysis.features.firstIndex { $0.id == "dollar_math" })
    let summary = analysis.features[f]
    #expect(summary.kind == "binary" && summary.name == "inside $...$")
    #expect(summary.mean > 0.15 && summary.mean < 0.6, "fraction inside \(summary.mean)")
    // The $ character alone says little: half the marks open, half close.
    #expect(summary.characterBaseline < 0.65, "baseline \(summary.characterBaseline)")
    #expect(summary.bestCells.first == CellID(layer: 0, state: .c, index: 0))
    #expect(analysis.features.first { $0.id == "since_newline" }?.kind == "graded")

    for state in [CellState.c, .h] {
      let toggle = try #require(analysis.cells.first { $0.id == CellID(layer: 0, state: state, index: 0) })
      #expect(toggle.scores[f].feature == "dollar_math")
      #expect(toggle.scores[f].score > 0.98, "AUC \(toggle.scores[f].score)")
      #expect(toggle.best?.feature == "dollar_math", "best \(String(describing: toggle.best))")
      #expect(toggle.interpretable)
      #expect(toggle.role.contains("inside $...$"), "role: \(toggle.role)")
      #expect(toggle.rank <= 2, "rank \(toggle.rank)")
    }
  }

  /// The acceptance check of issue 13: a user span { } nested scores exactly like brace_depth.
  @Test func nestedBracesScoreLikeBraceDepth() throws {
    let text = Fixtures.demoText(12_000)
    let file = try FeatureFile.parse(
      yaml: "features: [{id: my_braces, name: my braces, kind: span, open: '{', close: '}', nested: true}]",
      file: "braces.yaml", folder: "/nonexistent")
    let checkpoint = try Fixtures.randomCheckpoint(text: text, hidden: 6, layers: 1, forgetBias: 3)
    let analysis = try Analyzer(
      checkpoint: checkpoint, options: Fixtures.exact(),
      features: TextFeatures.all + file.features(for: Array(text.unicodeScalars))
    ).analyze(text: text, textName: "demo.txt")
    let builtIn = try #require(analysis.features.firstIndex { $0.id == "brace_depth" })
    let user = try #require(analysis.features.firstIndex { $0.id == "my_braces" })
    #expect(analysis.features[builtIn].std > 0)
    #expect(analysis.features[user].bestCells == analysis.features[builtIn].bestCells)
    #expect(analysis.features[user].characterBaseline == analysis.features[builtIn].characterBaseline)
    for cell in analysis.cells {
      #expect(cell.scores[user].score == cell.scores[builtIn].score)
      #expect(cell.scores[user].gain == cell.scores[builtIn].gain)
    }
  }
}
