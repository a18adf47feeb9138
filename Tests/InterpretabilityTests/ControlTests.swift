import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// The control: the same recording and scoring on an untrained network of the model's shape.
struct ControlTests {
  static let text = Fixtures.demoText(3000, seed: 9)

  /// The control's best quote and newline scores equal a naive recomputation: the untrained network
  /// drawn independently here with the same seed and initialisation, run in Double, every cell's
  /// AUC against the feature by pairwise comparison, the best kept.
  @Test func bestUntrainedScoresEqualANaiveRecomputation() throws {
    let trained = try Fixtures.randomCheckpoint(text: Self.text, hidden: 6, layers: 2, seed: 4)
    let control = try Analyzer(checkpoint: trained, options: Fixtures.exact())
      .control(text: Self.text, seed: 21)
    #expect(control.seed == 21 && control.characters == 3000)
    #expect(control.initialization.contains("PyTorch"), "no training record: PyTorch's initialisation")

    let net = LSTMNetwork<Float>(config: trained.config)
    net.initialize(seed: 21, uniformScale: nil, forgetBias: 0)
    let untrained = Checkpoint(
      config: trained.config, vocabulary: trained.vocabulary, parameters: net.params.array)
    let reference = try Reference(checkpoint: untrained, text: Self.text)
    let scalars = Array(Self.text.unicodeScalars)
    for id in ["in_double_quotes", "is_newline"] {
      let labels = TextFeatures.feature(id: id)!.values(in: scalars).map { $0 > 0 }
      let best = reference.values.map { v -> Double in
        let auc = Naive.pairwiseAUC(v, labels)
        return max(auc, 1 - auc)
      }.max()!
      let entry = try #require(control.feature(id))
      // The analysis bins values for its AUC; its stated bound on cells of this spread is 0.01.
      #expect(abs(entry.score - best) < 0.01, "\(id): control \(entry.score), naive \(best)")
      #expect(entry.bestCell != nil)
    }
  }

  /// An exact analysis's control reads in fast mode (batched streams, each warmed up from zero):
  /// on an untrained network that gives the exact reading's scores, since its states forget the
  /// warm-up's start long before the warm-up ends. Measured here: the AUCs are the same bits; the
  /// correlations move by at most 6e-8 (a batch sums its products in another order).
  @Test func theFastControlScoresAsAnExactReadingDoes() throws {
    let text = Fixtures.demoText(6000, seed: 12)
    let trained = try Fixtures.randomCheckpoint(text: text, hidden: 24, layers: 2, seed: 6)
    var options = Fixtures.exact()
    options.streams = 8
    options.warmup = 256
    let analyzer = Analyzer(checkpoint: trained, options: options)
    let fast = try analyzer.control(text: text, seed: 3)
    let exact = try analyzer.control(text: text, seed: 3, mode: .exact)
    #expect(fast.characters == exact.characters)
    for (a, b) in zip(fast.features, exact.features) {
      #expect(a.feature == b.feature && a.bestCell == b.bestCell, "\(a.feature)")
      #expect(
        abs(a.score - b.score) < 1e-6 && abs(a.gain - b.gain) < 1e-6, "\(a.feature): \(a.score) \(b.score)")
    }
    // And the fast reading really was batched: a trained-looking long memory would show. Here the
    // same control read as a plain fast analysis with no warm-up differs.
    options.warmup = 0
    let cold = try Analyzer(checkpoint: trained, options: options).control(text: text, seed: 3)
    #expect(zip(cold.features, exact.features).contains { abs($0.score - $1.score) > 1e-6 })
  }

  @Test func aTrainedToggleBeatsItsControlAndCharacterCellsDoNot() throws {
    let text = StitchedModeTests.text
    let planted = try PlantedCellTests.plantedCheckpoint(text: text)
    let analyzer = Analyzer(checkpoint: planted, options: Fixtures.exact())
    var analysis = try analyzer.analyze(text: text, textName: "quotes.txt")
    let control = try analyzer.control(text: text, seed: 5)
    // Deterministic for a seed.
    #expect(try analyzer.control(text: text, seed: 5) == control)
    let quote = try #require(control.feature("in_double_quotes"))
    #expect(quote.score < 0.9, "an untrained 4-cell network should not track quote parity: \(quote.score)")
    analysis.attach(control: control)
    #expect(analysis.control == control)
    let toggle = try #require(analysis.cells.first { $0.id == CellID(layer: 0, state: .c, index: 0) })
    #expect(!toggle.role.contains("untrained"), "role: \(toggle.role)")
    // A cell whose best feature the control matches says so.
    for cell in analysis.cells {
      guard let best = cell.best, let c = control.feature(best.feature) else { continue }
      #expect(cell.role.contains("untrained") == (c.score >= best.score - Analysis.controlMargin))
    }
    #expect(try analysisJSON(analysis).contains("\"control\""))
  }
}
