import CharLSTM

/// How the recorder reads a text.
public struct RecorderOptions: Sendable {
  public enum Mode: String, Sendable { case exact, stitched, fast }
  /// exact (default): one stream, state carried from the first character (B = 1), on
  /// one core while the statistics run on the other; a replay re-reads chosen stretches
  /// of it from the states the run kept (`replay(tokens:ranges:observe:shouldStop:)`).
  /// stitched: each segment of the text is cut into `streams` pieces run
  /// as a batch, each starting from the exact state the piece before it ends with
  /// (see StreamStitching.swift): the exact values to `tolerance`; about as fast as
  /// exact on 2 x 128 and 2 x 512 (measured), and slower where streams never agree.
  /// fast: like stitched, but each piece starts from the state reached by reading
  /// the `warmup` characters before it from zero (approximate: a cell that
  /// remembers further back than the warm-up is wrong at the start of a piece).
  public var mode = Mode.exact
  public var streams = 32
  public var warmup = 256
  /// Stitched mode: a stream's state is compared with its reference run every
  /// `stitchInterval` characters, and agrees when no h or c value differs by more
  /// than `tolerance`.
  public var stitchInterval = 64
  public var tolerance: Float = 1e-5
  /// Exact mode: from this many cells per layer, a replay reads its stretches as `streams` batched
  /// streams (the same values to float rounding: a batch of streams sums its products in another
  /// order than one stream does); below it, as two single streams, one per core (the same bits).
  /// Measured on War and Peace, 300,000 characters replayed whole: at 2 x 512 two single streams
  /// take 39 s (each step streams both layers' weights from L3), 32 batched 15 s.
  public var batchedReplayFromHidden = 256
  /// Exact mode: below this many cells per layer the analysis's first pass runs its products on one
  /// thread (`withSingleThreadedProducts`). Its batch-1 products are too small for OpenBLAS to split,
  /// but OpenBLAS's idle worker spins in sched_yield on the core the statistics need. Measured on War
  /// and Peace (`--no-control --ablate none`, fp32, 3 rounds): 2 x 128, 300,000 characters,
  /// 8.6-9.8 s against 9.7-10.5 s; 2 x 512, 80,000 characters, 26.5-27.5 s against 21.7-23.9 s.
  public var threadedProductsFromHidden = 256
  public var steps = 64  // T per forward call
  public var segment = 1 << 17  // characters analysed per segment; bounds memory
  public var excerpt = 3000  // characters kept whole for display
  public var context = 24  // characters either side of a window's focus
  public var topK = 5  // max- and min-activating windows per cell
  public var samplesPerBand = 2
  /// Threads for the per-cell statistics (1 or 2; the result is the same bits).
  public var statisticsThreads = 2
  /// The matrix products' precision for the recording, the control and the ablations (issue 15):
  /// fp32 by default; bf16 needs AVX512-BF16 (``Precision/bf16Supported``) and runs as fp32 without it.
  public var precision = Precision.fp32
  public init() {}

  /// Fewest characters a batched stream records per segment: below it the
  /// streams' buffers (and warm-up reading) cost more than they save.
  public static let minCharactersPerStream = 64

  /// The streams actually run on a text of `length` characters: 1 in exact mode;
  /// in stitched and fast modes `streams`, but no more than one per `minCharactersPerStream`
  /// characters of a segment, so a huge `streams` cannot allocate buffers
  /// (which grow with it) far beyond what the text needs.
  public func effectiveStreams(textLength length: Int) -> Int {
    guard mode != .exact else { return 1 }
    let perSegment = Swift.min(Swift.max(length, 0), Swift.max(segment, 1))
    return Swift.max(1, Swift.min(streams, perSegment / Self.minCharactersPerStream))
  }
}

/// One recorded position, handed to observers in text order within each stream.
///
/// `values` holds every cell (U = L·2·H, in `Analysis.cellOrder` order: layer,
/// then c as tanh(c), then h) and `gates` every i, f, g, o gate (L·4H). The
/// pointers are valid only during the `observe` call that receives them.
public struct Observation {
  /// Index of this character in the text (0-based).
  public var position: Int
  /// The stream (batch row) that read it; always 0 in exact mode.
  public var stream: Int
  public var values: UnsafePointer<Float>  // (U)
  public var gates: UnsafePointer<Float>  // (L, 4H)
  public var probs: UnsafePointer<Float>  // (V) next-character distribution after this character
  public var next: Int32?  // index of the true next character, nil at the end of the text
}

/// Runs a model over a text and calls `observe` for every position, in order of
/// time within each stream (streams interleave in fast mode). Nothing it keeps
/// grows with the text: it reads it segment by segment.
public struct Recorder {
  let network: LSTMNetwork<Float>
  let options: RecorderOptions
  /// The stitched mode's boundary states, kept across runs over the same text.
  let stitcher: StreamStitcher?
  /// The exact mode's states every few characters of its last run, for a replay (ExactReplay.swift).
  let checkpoints: ExactCheckpoints?
  /// Streams of a replay: 2 (two single streams, one per core) or `streams` (batched); see
  /// `RecorderOptions.batchedReplayFromHidden`.
  var replayStreams: Int {
    network.config.hiddenSize >= options.batchedReplayFromHidden ? max(2, options.streams) : 2
  }

  /// A recorder of `network` (its weights are read, never changed) reading as `options` say.
  public init(network: LSTMNetwork<Float>, options: RecorderOptions) {
    self.network = network
    self.options = options
    let S = max(1, options.streams)
    stitcher =
      options.mode == .stitched && S > 1
      ? StreamStitcher(
        network: network, steps: max(1, options.steps), warmup: options.warmup,
        interval: options.stitchInterval, tolerance: options.tolerance) : nil
    checkpoints = options.mode == .exact ? ExactCheckpoints() : nil
  }

  var units: Int { network.config.numLayers * 2 * network.config.hiddenSize }

  /// What stitching measured so far (nil unless the mode is stitched with more than one stream).
  var stitching: StitchingSummary? { stitcher?.summary }

  /// - Parameters:
  ///   - tokens: the text as vocabulary indices.
  ///   - segmentStarted: called with each segment's range before its positions are observed.
  ///   - observe: called once per position of `tokens`; an empty text calls nothing.
  ///   - shouldStop: polled between blocks of `steps` characters (and in the stitching); true
  ///     abandons the reading there.
  ///   - keepingStates: exact mode: keep the stream's state every few characters (at most
  ///     `ExactCheckpoints.memoryBudget` bytes), so that ``replay(tokens:ranges:observe:shouldStop:)``
  ///     can re-read stretches of this text afterwards.
  /// - Returns: false when `shouldStop` cut the reading short (not every position was observed).
  @discardableResult
  public func run(
    tokens: [Int32], segmentStarted: (Range<Int>) -> Void, observe: (Observation) -> Void,
    shouldStop: () -> Bool = { false }, keepingStates: Bool = false
  ) -> Bool {
    let n = tokens.count, H = network.config.hiddenSize, L = network.config.numLayers
    let S = options.effectiveStreams(textLength: n)
    let T = max(1, options.steps)
    // Two halves of the streams on two cores, as in training (see ShardedStep).
    let ws = ShardedStep(network: network, batch: S, steps: T, training: false)
    let state = LSTMState<Float>(for: network, batch: S)
    var scratch = ObservationScratch(network: network)
    let keeping = S == 1 && keepingStates ? checkpoints : nil
    checkpoints?.discard()
    keeping?.begin(textLength: n, steps: T, layers: L, hidden: H)
    var x = [Int32](repeating: 0, count: T * S)  // (T, B)
    var segStart = 0
    // Stitched mode: the exact state before the segment, carried from the one before.
    var carried = StreamState.zero(layers: L, hidden: H)
    while segStart < n {
      let segEnd = min(n, segStart + max(options.segment, S))
      segmentStarted(segStart..<segEnd)
      // Stream b records [recStart[b], recEnd[b]) after running from runStart[b].
      let plan = StreamPlan(segment: segStart..<segEnd, streams: S)
      let recStart = plan.starts, recEnd = plan.ends
      let runStart = recStart.map { options.mode == .fast ? max(0, $0 - options.warmup) : $0 }
      if S == 1 {
        // One stream: the state carries on from the segment before.
      } else if let stitcher {
        let found =
          stitcher.cached(segmentStart: segStart)
          ?? stitcher.startStates(
            tokens: tokens, plan: plan, segmentStart: segStart, first: carried, shouldStop: shouldStop)
        if shouldStop() { return false }
        carried = found.end
        for b in 0..<S { found.starts[b].store(row: b, into: state) }
      } else if options.mode == .fast {
        state.reset()
      }
      let total = zip(runStart, recEnd).map { $1 - $0 }.max() ?? 0
      var t0 = 0
      while t0 < total {
        if shouldStop() { return false }
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
            scratch.observe(chunk: chunk, step: t, row: b, position: p, tokens: tokens, observe)
          }
        }
        keeping?.chunkEnded(at: runStart[0] + t0 + steps, textLength: n, state: state)
        t0 += steps
      }
      segStart = segEnd
    }
    keeping?.finish(textLength: n)
    return true
  }
}
