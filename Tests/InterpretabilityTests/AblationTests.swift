import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// Mean ablation: Δ = loss with cell k held at its mean − loss without, per predicted character.
struct AblationTests {
  /// A plain LSTM in Double written from the equations and the PyTorch layout, with one cell of one
  /// layer optionally held at c = m (h = o·tanh(m)); returns −ln p(next) at every prediction and
  /// the mean c of every cell.
  static func naiveLosses(
    _ checkpoint: Checkpoint, _ tokens: [Int32], ablate: (layer: Int, index: Int, m: Double)?
  )
    -> (losses: [Double], meanC: [Double])
  {
    let config = checkpoint.config, layout = ParameterLayout(config)
    let H = config.hiddenSize, L = config.numLayers, V = config.vocabSize
    let w = checkpoint.parameters.map(Double.init)
    var h = [[Double]](repeating: .init(repeating: 0, count: H), count: L)
    var c = h
    var meanC = [Double](repeating: 0, count: L * H)
    var losses: [Double] = []
    func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    for (t, token) in tokens.enumerated() {
      var input = [Double](repeating: 0, count: V)
      input[Int(token)] = 1
      for k in 0..<L {
        let lw = layout.layers[k], D = input.count
        var z = [Double](repeating: 0, count: 4 * H)
        for r in 0..<(4 * H) {
          var s = w[lw.biasIH + r] + w[lw.biasHH + r]
          for d in 0..<D { s += w[lw.weightIH + r * D + d] * input[d] }
          for j in 0..<H { s += w[lw.weightHH + r * H + j] * h[k][j] }
          z[r] = s
        }
        for j in 0..<H {
          let i = sigmoid(z[j]), f = sigmoid(z[H + j]), g = Foundation.tanh(z[2 * H + j])
          let o = sigmoid(z[3 * H + j])
          c[k][j] = f * c[k][j] + i * g
          if let a = ablate, a.layer == k, a.index == j { c[k][j] = a.m }
          h[k][j] = o * Foundation.tanh(c[k][j])
          meanC[k * H + j] += c[k][j] / Double(tokens.count)
        }
        input = h[k]
      }
      guard t + 1 < tokens.count else { break }
      var logits = [Double](repeating: 0, count: V)
      for v in 0..<V {
        var s = w[layout.decoderBias + v]
        for j in 0..<H { s += w[layout.decoderWeight + v * H + j] * h[L - 1][j] }
        logits[v] = s
      }
      let top = logits.max()!
      let lse = Foundation.log(logits.map { Foundation.exp($0 - top) }.reduce(0, +)) + top
      losses.append(lse - logits[Int(tokens[t + 1])])
    }
    return (losses, meanC)
  }

  /// Lower-case words outside quotations, upper-case words inside: the quote toggle alone tells
  /// which alphabet comes next.
  static let casedText: String = {
    var rng = SeededGenerator(seed: 31)
    var out = ""
    while out.unicodeScalars.count < 6000 {
      out += Fixtures.prose(10 + rng.below(50), &rng).lowercased() + " \""
      out += Fixtures.prose(20 + rng.below(60), &rng).uppercased() + "\" "
    }
    return out
  }()

  /// The planted toggle of `PlantedCellTests` (h₀ ≈ −0.76 inside quotes, +0.76 outside) with a
  /// decoder that relies on it: upper-case letters inside, lower-case outside.
  static func relyingCheckpoint(text: String = casedText) throws -> Checkpoint {
    var checkpoint = try PlantedCellTests.plantedCheckpoint(text: text)
    let layout = ParameterLayout(checkpoint.config), H = checkpoint.config.hiddenSize
    for (v, symbol) in checkpoint.vocabulary.symbols.enumerated() {
      guard let scalar = Unicode.Scalar(symbol), scalar.properties.isAlphabetic else { continue }
      checkpoint.parameters[layout.decoderWeight + v * H + 0] = scalar.properties.isUppercase ? -5 : 5
      // The right alphabet at logit ≈ 0 beside spaces and quotes, the wrong one at ≈ −7.6.
      checkpoint.parameters[layout.decoderBias + v] = -3.8
    }
    return checkpoint
  }

  @Test func deltasEqualANaiveDoubleRecomputation() throws {
    let checkpoint = try Self.relyingCheckpoint()
    let tokens = Array(try checkpoint.vocabulary.encode(Self.casedText).prefix(1500))
    let requests = (0..<checkpoint.config.hiddenSize).map { AblationRequest(layer: 0, index: $0) }
    let summary = try #require(
      Ablation.run(network: checkpoint.network(), tokens: tokens, requests: requests))
    let plain = Self.naiveLosses(checkpoint, tokens, ablate: nil)
    #expect(abs(summary.baselineNats - plain.losses.reduce(0, +) / Double(plain.losses.count)) < 1e-4)
    for r in summary.cells {
      let m = plain.meanC[r.layer * checkpoint.config.hiddenSize + r.index]
      #expect(abs(r.mean - m) < 1e-4, "cell \(r.index) mean \(r.mean), naive \(m)")
      let ablated = Self.naiveLosses(checkpoint, tokens, ablate: (r.layer, r.index, m))
      let delta = zip(ablated.losses, plain.losses).map { $0 - $1 }.reduce(0, +) / Double(plain.losses.count)
      #expect(abs(r.deltaNats - delta) < 1e-3, "cell \(r.index): Δ \(r.deltaNats), naive \(delta)")
      #expect(abs(r.deltaBits - delta / log(2.0)) < 2e-3)
    }
  }

  @Test func aCellTheDecoderReliesOnCostsMostInsideQuotes() throws {
    let checkpoint = try Self.relyingCheckpoint()
    let tokens = try checkpoint.vocabulary.encode(Self.casedText)
    let scalars = Array(Self.casedText.unicodeScalars)
    let inside = TextFeatures.feature(id: "in_double_quotes")!.values(in: scalars)
    let requests = (0..<4).map {
      AblationRequest(layer: 0, index: $0, feature: "in_double_quotes", featureValues: inside)
    }
    let summary = try #require(
      Ablation.run(network: checkpoint.network(), tokens: tokens, requests: requests))
    let toggle = try #require(summary.result(layer: 0, index: 0))
    let closers = scalars.filter { $0 == "\"" }.count / 2
    #expect(abs(toggle.positionsSwitchOff - closers) <= 1)
    #expect(toggle.positionsOn == inside.dropLast().filter { $0 > 0 }.count)
    let whereOn = try #require(toggle.deltaWhereOn)
    #expect(whereOn > 0.3, "inside quotes: Δ \(whereOn) nats")
    #expect(toggle.deltaNats > 0.5, "overall: Δ \(toggle.deltaNats) nats")
    for other in summary.cells where other.index >= 2 {
      #expect(
        abs(other.deltaNats) < toggle.deltaNats / 10, "random cell \(other.index): Δ \(other.deltaNats)")
    }
  }

  /// A cell nothing reads (zero decoder column, zero recurrent column, zero input column in the layer
  /// above): holding it at its mean changes nothing at all.
  @Test func aCellWithNoOutgoingWeightsCostsExactlyNothing() throws {
    let text = Fixtures.demoText(2000, seed: 13)
    var checkpoint = try Fixtures.randomCheckpoint(text: text, hidden: 5, layers: 2, forgetBias: 1)
    let layout = ParameterLayout(checkpoint.config), H = 5, V = checkpoint.config.vocabSize, k = 3
    for r in 0..<(4 * H) {
      checkpoint.parameters[layout.layers[0].weightHH + r * H + k] = 0  // layer 0 reads its own h_k
      checkpoint.parameters[layout.layers[1].weightIH + r * H + k] = 0  // layer 1 reads layer 0's h_k
    }
    for r in 0..<(4 * H) { checkpoint.parameters[layout.layers[1].weightHH + r * H + k] = 0 }
    for v in 0..<V { checkpoint.parameters[layout.decoderWeight + v * H + k] = 0 }
    let tokens = try checkpoint.vocabulary.encode(text)
    let requests = [AblationRequest(layer: 0, index: k), AblationRequest(layer: 1, index: k)]
    let summary = try #require(
      Ablation.run(network: checkpoint.network(), tokens: tokens, requests: requests))
    for r in summary.cells {
      #expect(r.deltaNats == 0, "layer \(r.layer) cell \(k): Δ \(r.deltaNats)")
      #expect(r.mean != 0, "the ablation must change the cell itself")
    }
  }

  @Test func stoppingAbandonsTheWork() throws {
    let checkpoint = try Self.relyingCheckpoint()
    let tokens = try checkpoint.vocabulary.encode(Self.casedText)
    var polls = 0
    let summary = Ablation.run(
      network: checkpoint.network(), tokens: tokens, requests: [AblationRequest(layer: 0, index: 0)],
      shouldStop: {
        polls += 1
        return polls > 3
      })
    #expect(summary == nil)
  }
}

/// The analysis stores the ablations: on the cells on show, in `cells.csv` and `analysis.json`.
struct AblationInAnalysisTests {
  @Test func shownCellsCarryTheirDeltaIntoTheExports() throws {
    let checkpoint = try AblationTests.relyingCheckpoint()
    let text = AblationTests.casedText
    let analyzer = Analyzer(checkpoint: checkpoint, options: Fixtures.exact())
    var analysis = try analyzer.analyze(text: text, textName: "cased.txt")
    #expect(try analyzer.ablate(&analysis, text: text, top: 3, maxCharacters: 2000))
    let summary = try #require(analysis.ablation)
    #expect(summary.characters == 2000)
    let shown = Set(analysis.cells.prefix(3).map { [$0.id.layer, $0.id.index] })
    #expect(summary.cells.count == shown.count)
    for cell in analysis.cells {
      let ablated = shown.contains([cell.id.layer, cell.id.index])
      #expect((cell.ablationDelta != nil) == ablated, "\(cell.id)")
    }
    // The toggle ranks first (its quote AUC is 1) and costs what a direct run says.
    let toggle = try #require(analysis.cells.first { $0.id == CellID(layer: 0, state: .c, index: 0) })
    let direct = try #require(
      Ablation.run(
        network: checkpoint.network(), tokens: Array(try checkpoint.vocabulary.encode(text).prefix(2000)),
        requests: [AblationRequest(layer: 0, index: 0)]))
    #expect(abs(try #require(toggle.ablationDelta) - direct.cells[0].deltaNats) < 1e-9)
    let csv = parseCSV(cellsCSV(analysis))
    let column = try #require(csv[0].firstIndex(of: "ablation_delta"))
    let row = try #require(csv.first { $0.count > 3 && $0[1] == "0" && $0[2] == "c" && $0[3] == "0" })
    #expect(abs(Double(row[column])! - direct.cells[0].deltaNats) < 1e-4)
    #expect(try analysisJSON(analysis).contains("\"ablationDelta\""))
  }

  /// Without `maxCharacters` the ablation reads its budget: one batch row per character of the
  /// text, within 10,000 and 50,000 characters (never more than the text).
  @Test func theDefaultAblationReadsItsBudget() throws {
    #expect(Ablation.budgetedCharacters(textLength: 300_000, cells: 21) == 13_636)  // 300,000 / 22
    #expect(Ablation.budgetedCharacters(textLength: 60_000, cells: 24) == 10_000)  // 2,400 → the floor
    #expect(Ablation.budgetedCharacters(textLength: 5_000, cells: 24) == 5_000)  // the whole text
    #expect(Ablation.budgetedCharacters(textLength: 2_000_000, cells: 10) == 50_000)  // the ceiling
    #expect(Ablation.budgetedCharacters(textLength: 0, cells: 3) == 0)
    let checkpoint = try AblationTests.relyingCheckpoint()
    let text = String(repeating: AblationTests.casedText, count: 3)  // about 18,000 characters
    let analyzer = Analyzer(checkpoint: checkpoint, options: Fixtures.exact())
    var analysis = try analyzer.analyze(text: text, textName: "cased.txt", displayCells: 0)
    #expect(try analyzer.ablate(&analysis, text: text, top: 2))
    let summary = try #require(analysis.ablation)
    #expect(text.unicodeScalars.count > 12_000 && summary.characters == 10_000)
  }
}
