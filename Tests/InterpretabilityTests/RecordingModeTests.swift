import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// Stitched streams (the default recording) give the values of one stream from the first character.
///
/// The hard case is a cell with unbounded memory: the planted toggle of `PlantedCellTests` flips at
/// every `"`, so its value is the parity of every quote since the start of the text. Here the
/// quotations are long (150-400 characters) and the streams many, so that most streams start inside
/// a quotation: a warmed-up stream (the approximate mode) inverts the toggle until its end, while a
/// stitched stream starts from the exact state the previous stream ends with.
struct StitchedModeTests {
  static let streams = 8, length = 8000

  /// Prose with quotations of 150-400 characters separated by 10-60 unquoted characters.
  static let text: String = {
    var rng = SeededGenerator(seed: 77)
    var out = ""
    while out.unicodeScalars.count < length {
      out += Fixtures.prose(10 + rng.below(50), &rng) + " \""
      out += Fixtures.prose(150 + rng.below(250), &rng) + "\" "
    }
    return String(String.UnicodeScalarView(out.unicodeScalars.prefix(length)))
  }()

  static func options(_ mode: RecorderOptions.Mode, segment: Int = 1 << 17) -> RecorderOptions {
    var o = RecorderOptions()
    o.mode = mode
    o.streams = mode == .exact ? 1 : streams
    o.warmup = 64
    o.segment = segment
    return o
  }

  /// Every (position, unit) value a recording observes, in text order.
  static func values(_ checkpoint: Checkpoint, _ options: RecorderOptions) throws -> (
    values: [[Float]], summary: StitchingSummary?
  ) {
    let tokens = try checkpoint.vocabulary.encode(text)
    let recorder = Recorder(network: checkpoint.network(), options: options)
    var values = [[Float]](repeating: [], count: tokens.count)
    recorder.run(tokens: tokens, segmentStarted: { _ in }) { o in
      values[o.position] = Array(UnsafeBufferPointer(start: o.values, count: recorder.units))
    }
    return (values, recorder.stitching)
  }

  static func largestDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
    var worst: Float = 0
    for (x, y) in zip(a, b) {
      #expect(x.count == y.count && !x.isEmpty)
      for (u, v) in zip(x, y) { worst = max(worst, abs(u - v)) }
    }
    return worst
  }

  @Test func mostStreamsStartInsideAQuotation() throws {
    let scalars = Array(Self.text.unicodeScalars)
    let inside = TextFeatures.feature(id: "in_double_quotes")!.values(in: scalars)
    let plan = StreamPlan(segment: 0..<scalars.count, streams: Self.streams)
    let insideStarts = plan.starts.dropFirst().filter { inside[$0 - 1] > 0 }.count
    #expect(insideStarts >= 4, "only \(insideStarts) of 7 stream starts are inside a quotation")
  }

  @Test func plantedToggleEqualsTheExactRecording() throws {
    let checkpoint = try PlantedCellTests.plantedCheckpoint(text: Self.text)
    let exact = try Self.values(checkpoint, Self.options(.exact))
    let stitched = try Self.values(checkpoint, Self.options(.stitched))
    let fast = try Self.values(checkpoint, Self.options(.fast))
    let d = Self.largestDifference(exact.values, stitched.values)
    #expect(d < 1e-4, "stitched differs from exact by \(d)")
    // The approximate mode inverts the toggle in the streams that start inside a quotation.
    #expect(Self.largestDifference(exact.values, fast.values) > 1, "the text does not challenge warm-up")
    let summary = try #require(stitched.summary)
    #expect(summary.streams == Self.streams - 1)
    #expect(
      summary.streamsReadWhole >= 1, "a wrongly phased toggle never agrees, so some stream is read whole")
    #expect(summary.maxBoundaryDifference <= summary.tolerance)
  }

  @Test func plantedToggleRanksFirstWithTheExactScores() throws {
    let checkpoint = try PlantedCellTests.plantedCheckpoint(text: Self.text)
    let exact = try Analyzer(checkpoint: checkpoint, options: Self.options(.exact))
      .analyze(text: Self.text, textName: "quotes.txt")
    let stitched = try Analyzer(checkpoint: checkpoint, options: Self.options(.stitched))
      .analyze(text: Self.text, textName: "quotes.txt")
    let fast = try Analyzer(checkpoint: checkpoint, options: Self.options(.fast))
      .analyze(text: Self.text, textName: "quotes.txt")
    #expect(stitched.mode == "stitched" && exact.mode == "exact")
    let f = try #require(stitched.features.firstIndex { $0.id == "in_double_quotes" })
    let toggle = CellID(layer: 0, state: .c, index: 0)
    #expect(stitched.features[f].bestCells.first == toggle)
    #expect(
      stitched.cells.first?.id == toggle || stitched.cells.first?.id == CellID(layer: 0, state: .h, index: 0))
    for id in exact.cellOrder {
      let a = try #require(exact.cells.first { $0.id == id })
      let b = try #require(stitched.cells.first { $0.id == id })
      for (s, t) in zip(a.scores, b.scores) {
        #expect(
          abs(s.signed - t.signed) < 1e-3, "\(id) \(s.feature): exact \(s.signed), stitched \(t.signed)")
      }
      #expect(a.rank == b.rank, "\(id) rank \(a.rank) exact, \(b.rank) stitched")
    }
    let quote = { (a: Analysis) in a.cells.first { $0.id == toggle }!.scores[f].score }
    #expect(quote(stitched) > 0.98)
    #expect(quote(fast) < quote(stitched) - 0.1, "fast \(quote(fast)) should suffer from the wrong phase")
    let json = try analysisJSON(stitched)
    #expect(json.contains("\"stitching\""))
    #expect(json.contains("\"maxBoundaryDifference\""))
  }

  /// A random model with long memories (forget bias 3: some cells latch) over several segments,
  /// with reference streams that start unwarmed: the exact state is carried from segment to
  /// segment, and every value agrees with the single stream.
  @Test func randomModelAcrossSegmentsEqualsTheExactRecording() throws {
    let text = Fixtures.demoText(6000, seed: 5)
    let checkpoint = try Fixtures.randomCheckpoint(text: text, hidden: 6, layers: 2, forgetBias: 3)
    let tokens = try checkpoint.vocabulary.encode(text)
    func record(_ options: RecorderOptions) -> [[Float]] {
      let recorder = Recorder(network: checkpoint.network(), options: options)
      var values = [[Float]](repeating: [], count: tokens.count)
      recorder.run(tokens: tokens, segmentStarted: { _ in }) { o in
        values[o.position] = Array(UnsafeBufferPointer(start: o.values, count: recorder.units))
      }
      return values
    }
    var options = Self.options(.stitched, segment: 1000)
    options.warmup = 0
    let exact = record(Self.options(.exact, segment: 1000))
    let stitched = record(options)
    let d = Self.largestDifference(exact, stitched)
    #expect(d < 1e-4, "stitched differs from exact by \(d)")
  }
}

/// The exact mode's window pass re-reads only the stretches holding the windows, each from the state
/// the first pass kept before it: every value must be the same bits as a single stream from the first
/// character gives (two single streams, one per core), across segment boundaries and to the text's end.
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

  /// Ranges scattered over the text, its first and last characters among them, read by a replay:
  /// every wanted position is observed once, with the first run's values (the same bits from two
  /// single streams; to float rounding from batched ones).
  @Test(arguments: [(1 << 17, false), (2_500, false), (1 << 17, true)])
  func aReplayReadsTheWantedPositionsWithTheFirstRunsValues(segment: Int, batched: Bool) throws {
    let checkpoint = try Fixtures.randomCheckpoint(text: Self.text, hidden: 12, layers: 2, forgetBias: 3)
    var options = RecorderOptions()
    options.mode = .exact
    options.segment = segment
    if batched { options.batchedReplayFromHidden = 1 }
    let tokens = try checkpoint.vocabulary.encode(Self.text)
    let n = tokens.count
    let recorder = Recorder(network: checkpoint.network(), options: options)
    var first = [[Float]](repeating: [], count: n)
    recorder.run(
      tokens: tokens, segmentStarted: { _ in },
      observe: { o in first[o.position] = Array(UnsafeBufferPointer(start: o.values, count: recorder.units))
      },
      keepingStates: true)
    let ranges = [0..<3, 60..<70, 127..<129, 2_490..<2_510, 5_000..<5_900, (n - 5)..<n]
    var seen = [Int](repeating: 0, count: n)
    var largest: Float = 0
    recorder.replay(tokens: tokens, ranges: ranges) { o in
      seen[o.position] += 1
      for u in 0..<recorder.units {
        let d = abs(o.values[u] - first[o.position][u])
        largest = max(largest, d)
        if !batched { #expect(d == 0, "position \(o.position) unit \(u)") }
      }
    }
    for r in ranges { for p in r { #expect(seen[p] == 1, "position \(p) seen \(seen[p]) times") } }
    #expect(seen.allSatisfy { $0 <= 1 })
    // Only the stretches from the kept states before the ranges: 64 characters apart here.
    let read = seen.reduce(0, +)
    #expect(read <= ranges.reduce(0) { $0 + $1.count } + ranges.count * 64, "read \(read)")
    #expect(batched ? largest < 1e-5 : largest == 0)
    if batched { #expect(recorder.replayStreams == options.streams) }
  }

  @Test func aReplayNeedsACompleteFirstRun() throws {
    let checkpoint = try Fixtures.randomCheckpoint(text: Self.text, hidden: 8, layers: 1)
    var options = RecorderOptions()
    options.mode = .exact
    let tokens = try checkpoint.vocabulary.encode(Self.text)
    let recorder = Recorder(network: checkpoint.network(), options: options)
    #expect(!recorder.canReplay(textLength: tokens.count))
    // A run that keeps no states (the default) leaves nothing to replay from.
    recorder.run(tokens: tokens, segmentStarted: { _ in }, observe: { _ in })
    #expect(!recorder.canReplay(textLength: tokens.count))
    recorder.run(tokens: tokens, segmentStarted: { _ in }, observe: { _ in }, keepingStates: true)
    #expect(recorder.canReplay(textLength: tokens.count))
    #expect(!recorder.canReplay(textLength: tokens.count - 1))
    // A run cut short leaves nothing to replay from.
    var asked = 0
    recorder.run(
      tokens: tokens, segmentStarted: { _ in }, observe: { _ in },
      shouldStop: {
        asked += 1
        return asked > 3
      }, keepingStates: true)
    #expect(!recorder.canReplay(textLength: tokens.count))
    // Other modes keep no states.
    options.mode = .fast
    let fast = Recorder(network: checkpoint.network(), options: options)
    fast.run(tokens: tokens, segmentStarted: { _ in }, observe: { _ in }, keepingStates: true)
    #expect(!fast.canReplay(textLength: tokens.count))
  }

  /// A long text keeps fewer states per character: never more than the memory budget allows, evenly
  /// spaced by the stride.
  @Test func theKeptStatesStayWithinTheirMemoryBudget() throws {
    let checkpoint = try Fixtures.randomCheckpoint(text: Self.text, hidden: 8, layers: 1)
    let state = LSTMState<Float>(for: checkpoint.network(), batch: 1)
    let kept = ExactCheckpoints()
    let n = 3_000_000, L = 2, H = 2048
    kept.begin(textLength: n, steps: 64, layers: L, hidden: H)
    for e in Swift.stride(from: 64, through: n, by: 64) {
      kept.chunkEnded(at: e, textLength: n, state: state)
    }
    let most = ExactCheckpoints.memoryBudget / (2 * L * H * 4)
    #expect(kept.positions.count <= most && kept.positions.count > most / 2, "\(kept.positions.count) states")
    #expect(kept.stride % 64 == 0 && kept.stride > 64)
    #expect(zip(kept.positions, kept.positions.dropFirst()).allSatisfy { $1 - $0 == kept.stride })
  }
}
