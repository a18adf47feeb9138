import CharLSTM
import Foundation
import Interpretability
import Testing

/// Models whose values overflow, and stream counts far beyond the text, give a
/// sentence or a bounded run, never a trap or gigabytes (issue 11).
struct AnalysisSafetyTests {
  static let text = String(repeating: "he said \"hello there\" and left. ", count: 40)

  static func checkpoint(scale: Float = 1) throws -> Checkpoint {
    let vocab = try Vocabulary(text: text)
    let config = ModelConfig(vocabSize: vocab.count, hiddenSize: 4, numLayers: 1)
    let net = LSTMNetwork<Float>(config: config)
    net.initialize(seed: 3, uniformScale: 0.5, forgetBias: 1)
    return Checkpoint(config: config, vocabulary: vocab, parameters: net.params.array.map { $0 * scale })
  }

  @Test func theStreamCountIsCappedByTheTextLength() throws {
    var options = RecorderOptions()
    options.mode = .stitched  // the batched modes; exact reads one stream
    options.streams = 100_000
    #expect(options.effectiveStreams(textLength: 30_000) == 30_000 / RecorderOptions.minCharactersPerStream)
    #expect(options.effectiveStreams(textLength: 10) == 1)
    options.streams = 32
    #expect(options.effectiveStreams(textLength: 1 << 20) == 32)
    options.mode = .exact
    #expect(options.effectiveStreams(textLength: 1 << 20) == 1)

    options = RecorderOptions()
    options.mode = .stitched
    options.streams = 100_000
    let analysis = try Analyzer(checkpoint: try Self.checkpoint(), options: options)
      .analyze(text: Self.text, textName: "t.txt", displayCells: 2)
    #expect(analysis.streams == Self.text.count / RecorderOptions.minCharactersPerStream)
  }

  /// Weights of 3e38 pass a loose check but overflow the forward pass: the
  /// analysis must throw a sentence naming the model (before: a trap).
  @Test func nonFiniteActivationsThrowNamingTheModel() throws {
    var analyzer = Analyzer(checkpoint: try Self.checkpoint(scale: 3e38 / 0.5))
    analyzer.modelName = "huge.safetensors"
    #expect {
      try analyzer.analyze(text: Self.text, textName: "t.txt", displayCells: 2)
    } throws: { error in
      guard case .nonFinite(let name, _) = error as? CellscopeError else { return false }
      return name == "huge.safetensors"
    }
  }

  @Test func analysisJSONOfANonFiniteFigureThrows() throws {
    var a = try Analyzer(checkpoint: try Self.checkpoint()).analyze(
      text: Self.text, textName: "t.txt", displayCells: 2)
    #expect(try analysisJSON(a).hasSuffix("\n"))
    a.model.natsPerChar = .nan
    #expect(throws: CellscopeError.self) { try analysisJSON(a) }
  }
}
