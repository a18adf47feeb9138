import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// The exact mode's window pass replays each segment as two streams side by side, each from the state
/// the first pass had at its start: every window value must be the same bits as a single stream from
/// the first character gives, across segment boundaries and at the halves' seams.
struct ExactReplayTests {
  static let text = Fixtures.demoText(9_000)

  /// Every (position, unit) value of a single-stream recording, read one character at a time.
  static func reference(_ checkpoint: Checkpoint, segment: Int) throws -> [[Float]] {
    var options = RecorderOptions()
    options.mode = .exact
    options.segment = segment
    let tokens = try checkpoint.vocabulary.encode(text)
    let recorder = Recorder(network: checkpoint.network(), options: options)
    var values = [[Float]](repeating: [], count: tokens.count)
    recorder.run(tokens: tokens, segmentStarted: { _ in }) { o in
      values[o.position] = Array(UnsafeBufferPointer(start: o.values, count: recorder.units))
    }
    return values
  }

  @Test(arguments: [1 << 17, 2_500])
  func windowValuesAreTheSingleStreamValues(segment: Int) throws {
    let checkpoint = try Fixtures.randomCheckpoint(text: Self.text, hidden: 12, layers: 2, forgetBias: 3)
    var options = RecorderOptions()
    options.mode = .exact
    options.segment = segment
    var analyzer = Analyzer(checkpoint: checkpoint, options: options)
    analyzer.probes = false
    let analysis = try analyzer.analyze(text: Self.text, textName: "t", displayCells: 48)
    let reference = try Self.reference(checkpoint, segment: 1 << 20)
    let H = checkpoint.config.hiddenSize
    var compared = 0
    for cell in analysis.cells where !cell.topWindows.isEmpty || !cell.bands.isEmpty {
      let u = (cell.id.layer * 2 + (cell.id.state == .c ? 0 : 1)) * H + cell.id.index
      let windows = cell.topWindows + cell.bottomWindows + cell.bands.flatMap(\.windows)
      for w in windows {
        for (i, v) in w.values.enumerated() {
          #expect(v == reference[w.start + i][u], "cell \(cell.id) position \(w.start + i)")
          compared += 1
        }
      }
    }
    #expect(compared > 1000)
  }

  @Test func aReplayNeedsACompleteFirstRun() throws {
    let checkpoint = try Fixtures.randomCheckpoint(text: Self.text, hidden: 8, layers: 1)
    var options = RecorderOptions()
    options.mode = .exact
    let tokens = try checkpoint.vocabulary.encode(Self.text)
    let recorder = Recorder(network: checkpoint.network(), options: options)
    // No first run: a replay reads one stream from the first character.
    var streams = Set<Int>()
    recorder.run(
      tokens: tokens, segmentStarted: { _ in }, observe: { streams.insert($0.stream) }, replay: true)
    #expect(streams == [0])
    // After a complete first run it reads two.
    streams = []
    recorder.run(
      tokens: tokens, segmentStarted: { _ in }, observe: { streams.insert($0.stream) }, replay: true)
    #expect(streams == [0, 1])
    // A first run cut short leaves nothing to replay from.
    let fresh = Recorder(network: checkpoint.network(), options: options)
    var asked = 0
    fresh.run(
      tokens: tokens, segmentStarted: { _ in }, observe: { _ in },
      shouldStop: {
        asked += 1
        return asked > 3
      })
    streams = []
    fresh.run(tokens: tokens, segmentStarted: { _ in }, observe: { streams.insert($0.stream) }, replay: true)
    #expect(streams == [0])
  }
}
