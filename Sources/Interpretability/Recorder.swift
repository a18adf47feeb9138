import CharLSTM

/// How the recorder reads a text.
public struct RecorderOptions: Sendable {
  public enum Mode: String, Sendable { case exact, fast }
  /// exact: one stream, state carried from the first character (B = 1).
  /// fast: each segment of the text is cut into `streams` pieces run as a batch;
  /// each piece first reads the `warmup` characters before it, unrecorded, so that
  /// its state is realistic when recording starts.
  public var mode = Mode.fast
  public var streams = 32
  public var warmup = 256
  public var steps = 64  // T per forward call
  public var segment = 1 << 17  // characters analysed per segment; bounds memory
  public var excerpt = 3000  // characters kept whole for display
  public var context = 24  // characters either side of a window's focus
  public var topK = 5  // max- and min-activating windows per cell
  public var samplesPerBand = 2
  /// Threads for the per-cell statistics (1 or 2; the result is the same bits).
  public var statisticsThreads = 2
  public init() {}

  /// Fewest characters a fast-mode stream records per segment: below it the
  /// streams' buffers (and warm-up reading) cost more than they save.
  public static let minCharactersPerStream = 64

  /// The streams actually run on a text of `length` characters: 1 in exact mode;
  /// in fast mode `streams`, but no more than one per `minCharactersPerStream`
  /// characters of a segment, so a huge `streams` cannot allocate buffers
  /// (which grow with it) far beyond what the text needs.
  public func effectiveStreams(textLength length: Int) -> Int {
    guard mode == .fast else { return 1 }
    let perSegment = Swift.min(Swift.max(length, 0), Swift.max(segment, 1))
    return Swift.max(1, Swift.min(streams, perSegment / Self.minCharactersPerStream))
  }
}

/// One recorded position, handed to observers in text order within each stream.
///
/// `values` holds every cell (U = L·2·H, in `Analysis.cellOrder` order: layer,
/// then c as tanh(c), then h) and `gates` every i, f, g, o gate (L·4H).
struct Observation {
  var position: Int
  var stream: Int
  var values: UnsafePointer<Float>  // (U)
  var gates: UnsafePointer<Float>  // (L, 4H)
  var probs: UnsafePointer<Float>  // (V) next-character distribution after this character
  var next: Int32?  // index of the true next character, nil at the end of the text
}

/// Runs a model over a text and calls `observe` for every position, in order of
/// time within each stream (streams interleave in fast mode). Nothing it keeps
/// grows with the text: it reads it segment by segment.
struct Recorder {
  let network: LSTMNetwork<Float>
  let options: RecorderOptions

  var units: Int { network.config.numLayers * 2 * network.config.hiddenSize }

  /// - Parameters:
  ///   - tokens: the text as vocabulary indices.
  ///   - segmentStarted: called with each segment's range before its positions are observed.
  func run(
    tokens: [Int32], segmentStarted: (Range<Int>) -> Void, observe: (Observation) -> Void
  ) {
    let n = tokens.count, H = network.config.hiddenSize, L = network.config.numLayers
    let V = network.config.vocabSize, G = 4 * H, U = units
    let S = options.effectiveStreams(textLength: n)
    let T = max(1, options.steps)
    // Two halves of the streams on two cores, as in training (see ShardedStep).
    let ws = ShardedStep(network: network, batch: S, steps: T, training: false)
    let state = LSTMState<Float>(for: network, batch: S)
    var values = [Float](repeating: 0, count: U), gates = [Float](repeating: 0, count: L * G)
    var x = [Int32](repeating: 0, count: T * S)  // (T, B)
    var segStart = 0
    while segStart < n {
      let segEnd = min(n, segStart + max(options.segment, S))
      segmentStarted(segStart..<segEnd)
      // Stream b records [recStart[b], recEnd[b]) after running from runStart[b].
      let len = (segEnd - segStart + S - 1) / S
      var runStart = [Int](), recStart = [Int](), recEnd = [Int]()
      for b in 0..<S {
        let r0 = min(segEnd, segStart + b * len), r1 = min(segEnd, r0 + len)
        recStart.append(r0)
        recEnd.append(r1)
        runStart.append(options.mode == .exact ? r0 : max(0, r0 - options.warmup))
      }
      if options.mode == .fast { state.reset() }
      let total = zip(runStart, recEnd).map { $1 - $0 }.max() ?? 0
      var t0 = 0
      while t0 < total {
        let steps = min(T, total - t0)
        let chunk = steps == T ? ws : ShardedStep(network: network, batch: S, steps: steps, training: false)
        for t in 0..<steps {
          for b in 0..<S {
            let p = runStart[b] + t0 + t
            x[t * S + b] = p < recEnd[b] ? tokens[p] : 0
          }
        }
        chunk.forward(tokens: x, state: state)  // logits → next-character probabilities
        for t in 0..<steps {
          for b in 0..<S {
            let p = runStart[b] + t0 + t
            guard p >= recStart[b], p < recEnd[b] else { continue }
            let (shard, j0) = chunk.shard(ofRow: b), Bs = shard.B
            for k in 0..<L {
              // Raw pointers: `Buffer`'s subscript is generic across the module
              // boundary, so element by element it would not be specialised.
              let cache = shard.layers[k]
              let tanhC = cache.tanhC.p + (t * Bs + j0) * H, h = cache.h.p + ((t + 1) * Bs + j0) * H
              let gate = cache.gates.p + (t * Bs + j0) * G
              for j in 0..<H {
                values[(k * 2) * H + j] = tanhC[j]
                values[(k * 2 + 1) * H + j] = h[j]
              }
              for j in 0..<G { gates[k * G + j] = gate[j] }
            }
            values.withUnsafeBufferPointer { vp in
              gates.withUnsafeBufferPointer { gp in
                observe(
                  Observation(
                    position: p, stream: b, values: vp.baseAddress!, gates: gp.baseAddress!,
                    probs: shard.logits.p + (t * Bs + j0) * V, next: p + 1 < n ? tokens[p + 1] : nil))
              }
            }
          }
        }
        t0 += steps
      }
      segStart = segEnd
    }
  }
}
