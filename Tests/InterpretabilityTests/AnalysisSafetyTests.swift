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

/// Ctrl-C during an analysis: the recorder polls `shouldStop` between blocks of characters and in the
/// stitching, so a stop is honoured within a block, not at the end of a pass over the whole text.
struct AnalysisInterruptionTests {
  static let text = Fixtures.demoText(40_000)

  static func checkpoint() throws -> Checkpoint {
    try Fixtures.randomCheckpoint(text: text, hidden: 16, layers: 2, forgetBias: 3)
  }

  /// Runs an analysis that asks to stop once `stop(progress so far, questions asked)` says so; returns
  /// whether it threw `AnalysisInterrupted`, and the most characters any pass reported done.
  static func analyse(
    _ mode: RecorderOptions.Mode, stop: @escaping (Int, Int) -> Bool
  ) throws -> (interrupted: Bool, furthest: Int, total: Int) {
    var options = RecorderOptions()
    options.mode = mode
    options.streams = mode == .exact ? 1 : 8
    var analyzer = Analyzer(checkpoint: try checkpoint(), options: options)
    analyzer.probes = false
    var furthest = 0, asked = 0
    let total = text.unicodeScalars.count
    do {
      _ = try analyzer.analyze(
        text: text, textName: "t", displayCells: 4,
        progress: { _, done, _ in furthest = max(furthest, done) },
        shouldStop: {
          asked += 1
          return stop(furthest, asked)
        })
      return (false, furthest, total)
    } catch is AnalysisInterrupted {
      return (true, furthest, total)
    }
  }

  @Test(arguments: [RecorderOptions.Mode.stitched, .fast, .exact])
  func aStopMidPassEndsTheAnalysisThere(mode: RecorderOptions.Mode) throws {
    // Without a stop the whole text is read (the progress reaches near its end).
    let whole = try Self.analyse(mode) { _, _ in false }
    #expect(!whole.interrupted)
    #expect(whole.furthest >= whole.total - 8192)
    // A stop once 8,192 characters are done ends the first pass well before its end.
    let cut = try Self.analyse(mode) { done, _ in done >= 8192 }
    #expect(cut.interrupted)
    #expect(cut.furthest >= 8192 && cut.furthest < 16_384)
  }

  @Test func aStopDuringTheStitchingObservesNothing() throws {
    // The second question comes from inside the stitcher's batched reference run.
    let cut = try Self.analyse(.stitched) { _, asked in asked >= 2 }
    #expect(cut.interrupted)
    #expect(cut.furthest == 0)
  }

  @Test func theControlStopsToo() throws {
    var options = RecorderOptions()
    options.streams = 8
    let analyzer = Analyzer(checkpoint: try Self.checkpoint(), options: options)
    var asked = 0
    #expect(throws: AnalysisInterrupted.self) {
      _ = try analyzer.control(
        text: Self.text, seed: 3,
        shouldStop: {
          asked += 1
          return asked >= 3
        })
    }
  }
}
