import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// A one-hot LSTM with hand-set weights (L = 1, H = 4, PyTorch layout, gates i, f, g, o):
///
/// - cell 0 toggles its sign at every `"`: at the quote its input gate is σ(+12) ≈ 1 and
///   its forget gate σ(-12) ≈ 0, elsewhere the reverse, so c is rewritten only at a quote,
///   with g = tanh(-20·h₀ - 3) = -sign(h_prev) (the bias -3 makes the first quote, read
///   from h = 0, write c ≈ -1). So tanh(c) ≈ -0.76 inside quotes, +0.76 after a closing
///   quote, ≈ 0 before the first quote: a perfect quote detector, AUC 1 (reversed);
/// - cell 1 fires on the `"` character itself: i ≈ 1, f ≈ 0 everywhere and
///   g = tanh(20·[char is "] - 10), so tanh(c) = +0.76 at a quote and -0.76 elsewhere.
///   Opening quotes are inside and closing quotes outside, so it says next to nothing
///   about being inside, and what it does say the character alone says too;
/// - cells 2 and 3 have small random weights.
struct PlantedCellTests {
  static let chunks = 8, chunkLength = 600

  /// `chunks` blocks of exactly `chunkLength` characters, each prose with quotations of
  /// 5-80 characters and an unquoted tail of at least 120 characters.
  ///
  /// Why the tails: a pure toggle is the parity of every quote since the start of the
  /// text, which no finite warm-up can recover. A fast-mode stream whose warm-up starts
  /// inside a quotation reads the closing quote as an opening one and inverts the cell
  /// until its end. With 8 streams, stream b records from b·600, and its 64-character
  /// warm-up lies in the previous block's unquoted tail, so it starts at the right parity.
  static let text: String = {
    var rng = SeededGenerator(seed: 2024)
    var out = ""
    for _ in 0..<chunks {
      var block = ""
      while true {
        let length = 5 + rng.below(76)
        var unit = Fixtures.prose(10 + rng.below(110), &rng) + (rng.below(4) == 0 ? ".\n" : " ")
        unit += "\"" + String(Fixtures.prose(length, &rng).prefix(length)) + "\""
        unit += rng.below(3) == 0 ? ".\n" : " "
        if block.count + unit.count > chunkLength - 120 { break }
        block += unit
      }
      block += Fixtures.prose(chunkLength, &rng)
      out += String(block.prefix(chunkLength - 1)) + "\n"
    }
    return out
  }()

  /// The planted model, with the vocabulary of `text` (which must contain `"`).
  static func plantedCheckpoint(text: String = Self.text) throws -> Checkpoint {
    let vocabulary = try Vocabulary(text: text)
    let V = vocabulary.count, H = 4
    let config = ModelConfig(vocabSize: V, hiddenSize: H, numLayers: 1)
    let layout = ParameterLayout(config)
    var p = [Float](repeating: 0, count: layout.count)
    let lw = layout.layers[0]
    let q = Int(vocabulary.index(of: UInt32(("\"" as Unicode.Scalar).value))!)
    // Gate rows in PyTorch's fused order: i = 0, f = 1, g = 2, o = 3; row = gate·H + cell.
    func ih(_ gate: Int, _ cell: Int, _ column: Int) -> Int { lw.weightIH + (gate * H + cell) * V + column }
    func hh(_ gate: Int, _ cell: Int, _ column: Int) -> Int { lw.weightHH + (gate * H + cell) * H + column }
    func bias(_ gate: Int, _ cell: Int) -> Int { lw.biasIH + gate * H + cell }
    let big: Float = 12

    // Cell 0: the toggle.
    p[bias(0, 0)] = -big
    p[ih(0, 0, q)] = 2 * big  // i ≈ 1 at a quote, ≈ 0 elsewhere
    p[bias(1, 0)] = big
    p[ih(1, 0, q)] = -2 * big  // f ≈ 0 at a quote, ≈ 1 elsewhere
    p[hh(2, 0, 0)] = -20  // g = -sign(h_prev)...
    p[bias(2, 0)] = -3  // ...and -1 from h = 0
    p[bias(3, 0)] = big  // o ≈ 1

    // Cell 1: the quote character.
    p[bias(0, 1)] = big  // i ≈ 1
    p[bias(1, 1)] = -big  // f ≈ 0
    p[ih(2, 1, q)] = 20
    p[bias(2, 1)] = -10  // g = ±1
    p[bias(3, 1)] = big  // o ≈ 1

    // Cells 2, 3: small random rows in every tensor; and a random decoder.
    var rng = SeededGenerator(seed: 99)
    for gate in 0..<4 {
      for cell in 2..<4 {
        for x in 0..<V { p[ih(gate, cell, x)] = Float(rng.uniform(-0.5, 0.5)) }
        for j in 0..<H { p[hh(gate, cell, j)] = Float(rng.uniform(-0.5, 0.5)) }
        p[bias(gate, cell)] = Float(rng.uniform(-0.5, 0.5))
      }
    }
    for j in 0..<(V * H) { p[layout.decoderWeight + j] = Float(rng.uniform(-0.3, 0.3)) }
    return Checkpoint(config: config, vocabulary: vocabulary, parameters: p)
  }

  static let modes: [(String, RecorderOptions)] = [
    ("exact", Fixtures.exact()), ("fast", Fixtures.fast(streams: 8, warmup: 64)),
  ]

  @Test func theTextIsAsDesigned() throws {
    let scalars = Array(Self.text.unicodeScalars)
    #expect(scalars.count == Self.chunks * Self.chunkLength)
    let inside = TextFeatures.feature(id: "in_double_quotes")!.values(in: scalars)
    // Quotes balance within every block, and no block starts inside a quotation or
    // has a quote in its last 120 characters (the next stream's warm-up).
    for b in 0..<Self.chunks {
      let start = b * Self.chunkLength, end = start + Self.chunkLength
      #expect(inside[start] == 0)
      #expect(!scalars[(end - 120)..<end].contains("\""))
    }
    // Quotations between 5 and 80 characters inside, a fair share of the text.
    var lengths: [Int] = [], open: Int?
    for (i, c) in scalars.enumerated() where c == "\"" {
      if let o = open {
        lengths.append(i - o - 1)
        open = nil
      } else {
        open = i
      }
    }
    #expect(open == nil)
    #expect(lengths.count >= 16)
    #expect(lengths.allSatisfy { (5...80).contains($0) })
    let fraction = Double(inside.filter { $0 > 0 }.count) / Double(scalars.count)
    #expect(fraction > 0.15 && fraction < 0.6, "fraction inside quotes \(fraction)")
  }

  /// The planted weights do what the comment above says, checked on the network's own
  /// forward pass before any analysis: this pins the test's premise.
  @Test func thePlantedCellsBehaveAsDesigned() throws {
    let reference = try Reference(checkpoint: Self.plantedCheckpoint(), text: Self.text)
    let inside = TextFeatures.feature(id: "in_double_quotes")!.values(in: Array(Self.text.unicodeScalars))
    let tokens = reference.tokens, q = try Self.plantedCheckpoint().vocabulary.index(of: 34)!
    var seenQuote = false
    for t in 0..<reference.n {
      let toggle = reference.values[0][t], fire = reference.values[1][t]
      seenQuote = seenQuote || tokens[t] == q
      if !seenQuote {
        #expect(abs(toggle) < 0.05)
      } else if inside[t] > 0 {
        #expect(toggle < -0.7, "position \(t)")
      } else {
        #expect(toggle > 0.7, "position \(t)")
      }
      #expect(tokens[t] == q ? fire > 0.75 : fire < -0.75)
    }
  }

  @Test(arguments: [0, 1])
  func theToggleRanksFirstForQuotesAndTheQuoteCharacterCellDoesNot(mode: Int) throws {
    let (name, options) = Self.modes[mode]
    let analysis = try Analyzer(checkpoint: Self.plantedCheckpoint(), options: options)
      .analyze(text: Self.text, textName: "planted.txt")
    #expect(analysis.mode == name)
    #expect(analysis.model.characters == Self.text.unicodeScalars.count - 1)
    let f = try #require(analysis.features.firstIndex { $0.id == "in_double_quotes" })
    let summary = analysis.features[f]
    #expect(summary.kind == "binary")
    // The current character alone barely knows: quote marks are half opening, half closing.
    #expect(summary.characterBaseline < 0.65, "baseline \(summary.characterBaseline)")

    let first = try #require(summary.bestCells.first)
    #expect(first.layer == 0 && first.index == 0, "best quote cell \(first)")

    func report(_ id: CellID) throws -> CellReport { try #require(analysis.cells.first { $0.id == id }) }
    for state in [CellState.c, .h] {
      let toggle = try report(CellID(layer: 0, state: state, index: 0))
      let score = toggle.scores[f]
      #expect(score.feature == "in_double_quotes")
      #expect(score.score > 0.98, "\(name) \(state): AUC \(score.score)")
      #expect(score.signed < 0.5, "low inside quotes: raw AUC \(score.signed)")
      #expect(score.gain > 0.3, "\(name) \(state): gain \(score.gain)")
      #expect(abs(score.gain - (score.score - summary.characterBaseline)) < 1e-12)
      #expect(toggle.interpretable)
      #expect(toggle.best?.feature == "in_double_quotes")
      #expect(toggle.role.contains("double quotes"), "role: \(toggle.role)")
      #expect(toggle.rank <= 2, "rank \(toggle.rank)")

      let fire = try report(CellID(layer: 0, state: state, index: 1))
      #expect(fire.scores[f].gain < 0.1, "\(name) \(state): quote-character cell gain \(fire.scores[f].gain)")
      #expect(!(fire.best?.feature == "in_double_quotes" && fire.interpretable), "role: \(fire.role)")
      #expect(!summary.bestCells.prefix(2).contains(fire.id))
      #expect(fire.rank > 2)
    }
    // No cell's best feature is one the text never shows (this text has no wiki links,
    // URLs, digits...): such a feature scores 0.5 with gain 0 and says nothing.
    for cell in analysis.cells {
      guard let best = cell.best else { continue }
      let summary = try #require(analysis.features.first { $0.id == best.feature })
      #expect(summary.std > 0, "\(cell.id)'s best feature \(best.feature) never changes on this text")
    }
  }
}
