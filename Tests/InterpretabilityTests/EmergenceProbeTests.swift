import CharLSTM
import Foundation
import Synchronization
import Testing

@testable import Interpretability

/// The emergence probe scores the cells during training exactly as an analysis
/// of the checkpoint saved at that evaluation does.
struct EmergenceProbeTests {
  /// The weights and text each probe call saw, keyed by step.
  final class Saved: Sendable {
    let byStep = Mutex<[Int: (checkpoint: Checkpoint, text: String)]>([:])
  }

  @Test func theStoredScoresAreThoseOfAnExactAnalysisOfTheCheckpointAtThatStep() throws {
    let text = TrainedQuoteCellTests.story(characters: 30_000, seed: 1)
    var options = TrainedQuoteCellTests.options(steps: 400)
    options.evalEvery = 100
    let trainer = try Trainer(text: text, textName: "story.txt", options: options)
    trainer.probeCharacters = 1000
    let probe = EmergenceProbe()
    let saved = Saved()
    trainer.evaluationProbe = { input in
      let checkpoint = Checkpoint(
        config: input.network.config, vocabulary: input.vocabulary, parameters: input.network.params.array)
      saved.byStep.withLock { $0[input.step] = (checkpoint, input.vocabulary.decode(input.tokens)) }
      return probe.score(input)
    }
    try trainer.run(outPath: nil)
    let history = try #require(trainer.record.emergence)
    #expect(history.map(\.step) == [100, 200, 300, 400])
    let checkpoints = saved.byStep.withLock { $0 }

    var exact = RecorderOptions()
    exact.mode = .exact
    for point in history {
      let (checkpoint, slice) = try #require(checkpoints[point.step])
      #expect(slice.unicodeScalars.count == 1000)
      // 16 streams' validation parts of 64 characters each (one batch of T = 64), each a piece of the text.
      let scalars = Array(slice.unicodeScalars)
      for k in stride(from: 0, to: scalars.count, by: 64) {
        let piece = String(String.UnicodeScalarView(scalars[k..<min(k + 64, scalars.count)]))
        #expect(text.contains(piece), "piece \(k / 64) of the slice is not in the text")
      }
      let analysis = try Analyzer(checkpoint: checkpoint, options: exact)
        .analyze(text: slice, textName: "slice", displayCells: 0)
      for (f, feature) in analysis.features.enumerated() {
        // Independently: the highest score over all cells, and the cells reaching it,
        // for the features that vary over the slice.
        let values = TextFeatures.all[f].values(in: scalars)
        let scores = analysis.cells.map { ($0.id, $0.scores[f].score) }.filter { $0.1.isFinite }
        let stored = point.features.first { $0.feature == feature.id }
        guard let top = scores.map(\.1).max(), values.contains(where: { $0 != values[0] }) else {
          #expect(stored == nil, "\(feature.id) is constant over the slice but was stored")
          continue
        }
        let s = try #require(stored, "\(feature.id) at step \(point.step)")
        #expect(abs(s.score - top) < 1e-4, "\(feature.id) at step \(point.step): \(s.score) vs \(top)")
        let near = scores.filter { abs($0.1 - top) < 1e-4 }.map(\.0)
        let id = CellID(layer: s.layer, state: s.state == "c" ? .c : .h, index: s.index)
        #expect(near.contains(id), "\(feature.id): stored cell \(id) is not among the best \(near)")
        #expect(s.kind == feature.kind)
      }
    }
    // The quote cell emerges: its best AUC grows over training.
    let quote = history.map { $0.features.first { $0.feature == "in_double_quotes" }!.score }
    print("best quote AUC at steps 100...400 on the validation slice: \(quote)")
    #expect(quote.last! > quote.first!)
  }

  @Test func aByteVocabularyThatCannotBeReadBackIsSkipped() throws {
    // Bytes 0xC3 alone are not UTF-8: decoding loses them, so the probe must not score other text.
    let vocabulary = try Vocabulary(kind: .bytes, symbols: [0x61, 0xC3])
    let net = LSTMNetwork<Float>(config: ModelConfig(vocabSize: 2, hiddenSize: 4, numLayers: 1))
    let input = ProbeInput(network: net, vocabulary: vocabulary, tokens: [0, 1, 0, 1, 0], step: 1)
    #expect(EmergenceProbe().score(input).isEmpty)
  }

  @Test func featuresThatNeverSwitchOnGetNoEntry() throws {
    // "abab...": no quotes, URLs, brackets or lines, so those features are constant
    // and would score a meaningless 0.5; the letter/character classes do vary.
    let vocabulary = try Vocabulary(text: "ab")
    let net = LSTMNetwork<Float>(config: ModelConfig(vocabSize: 2, hiddenSize: 4, numLayers: 1))
    net.initialize(seed: 3, uniformScale: 0.08, forgetBias: 1)
    let input = ProbeInput(
      network: net, vocabulary: vocabulary, tokens: (0..<50).map { Int32($0 % 2) }, step: 1)
    let scores = EmergenceProbe().score(input)
    let ids = Set(scores.map(\.feature))
    #expect(ids.isDisjoint(with: ["in_double_quotes", "in_url", "paren_depth", "is_newline", "is_space"]))
    #expect(scores.allSatisfy { $0.score.isFinite && $0.signed.isFinite })
  }
}
