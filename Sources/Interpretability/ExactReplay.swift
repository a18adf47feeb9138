import CharLSTM

// The exact mode's window pass (issue 15, item 3). The first pass keeps the stream's state every
// `stride` characters; the window pass then re-reads only the characters the windows need, each
// stretch from the kept state before it, instead of the whole text a second time. Every stretch
// starts where a first-pass chunk of T steps started, so its chunks are the first pass's chunks.

/// The states of an exact (single-stream) run, every `stride` characters: the state before reading
/// position `positions[i]` is `states[i]`; positions[0] = 0 (the zero state).
final class ExactCheckpoints {
  /// Bytes the states may take (2·L·H floats each); past it the stride grows (a longer text keeps
  /// fewer states per character, and the window pass re-reads longer stretches).
  static let memoryBudget = 64 << 20

  private(set) var positions: [Int] = []
  private(set) var states: [StreamState] = []
  private(set) var stride = 0
  /// The text length whose run ended with every state kept; nil while a run is under way or cut short.
  private(set) var completeLength: Int?

  /// Starts keeping the states of a run over `n` characters read in chunks of `T`.
  func begin(textLength n: Int, steps T: Int, layers L: Int, hidden H: Int) {
    let most = max(64, Self.memoryBudget / max(1, 2 * L * H * MemoryLayout<Float>.stride))
    let chunks = (n + T - 1) / max(1, T)
    stride = T * max(1, (chunks + most - 1) / most)
    positions = [0]
    states = [.zero(layers: L, hidden: H)]
    completeLength = nil
  }

  /// A chunk ended before position `e`, with `state` (batch 1) the state before reading it.
  func chunkEnded(at e: Int, textLength n: Int, state: LSTMState<Float>) {
    guard e < n, let last = positions.last, e - last >= stride else { return }
    positions.append(e)
    states.append(StreamState(row: 0, of: state))
  }

  func finish(textLength n: Int) { completeLength = n }

  /// Forgets the states (another run began without keeping them).
  func discard() {
    positions = []
    states = []
    completeLength = nil
  }

  /// The index of the last kept position at or before p.
  func index(before p: Int) -> Int {
    var lo = 0, hi = positions.count
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if positions[mid] <= p { lo = mid } else { hi = mid }
    }
    return lo
  }

  /// The stretches to re-read so that every position in `ranges` is observed: for each kept state
  /// whose interval holds a wanted position, from that state's position to the last wanted one in
  /// the interval. Ascending and disjoint; a stretch ending where the next begins continues it.
  func stretches(covering ranges: [Range<Int>], textLength n: Int) -> [Range<Int>] {
    var end: [Int: Int] = [:]  // interval index → end of what it must read
    for r in ranges where !r.isEmpty {
      let a = max(0, r.lowerBound), b = min(n, r.upperBound)
      guard a < b else { continue }
      for i in index(before: a)...index(before: b - 1) {
        let next = i + 1 < positions.count ? positions[i + 1] : n
        end[i] = max(end[i] ?? 0, min(b, next))
      }
    }
    return end.keys.sorted().map { positions[$0]..<end[$0]! }
  }
}

extension Recorder {
  /// Whether ``replay(tokens:ranges:observe:shouldStop:)`` can read this text: the last run was an
  /// exact run over all of it that kept its states.
  func canReplay(textLength n: Int) -> Bool { checkpoints?.completeLength == n }

  /// Characters a replay of `ranges` reads (a measure of its cost, for progress).
  func replayLength(ranges: [Range<Int>], textLength n: Int) -> Int {
    checkpoints?.stretches(covering: ranges, textLength: n).reduce(0) { $0 + $1.count } ?? n
  }

  /// Exact mode, after a complete ``run(tokens:segmentStarted:observe:shouldStop:keepingStates:)``
  /// over `tokens` that kept its states:
  /// observes every position of `ranges` (and the others of their stretches), each stretch read from
  /// the state the first run kept before it. The stretches run as `replayStreams` rows of one batch: 2
  /// (one single stream per core: the same bits as the first run) or batched streams (the same
  /// values to float rounding). Positions come in order within each stream (row), not across them.
  ///
  /// - Returns: false when `shouldStop` cut the reading short.
  @discardableResult
  func replay(
    tokens: [Int32], ranges: [Range<Int>], observe: (Observation) -> Void, shouldStop: () -> Bool = { false }
  ) -> Bool {
    guard let checkpoints, checkpoints.completeLength == tokens.count else {
      preconditionFailure("replay needs a complete exact run over the same text first")
    }
    let n = tokens.count, T = max(1, options.steps), R = replayStreams
    let stretches = checkpoints.stretches(covering: ranges, textLength: n)
    // Rows take consecutive stretches, about an equal share of characters each; a long stretch is
    // already cut at every kept state, so no row waits long for another.
    let total = stretches.reduce(0) { $0 + $1.count }
    var rows = [[Range<Int>]](repeating: [], count: R)
    var done = 0
    for s in stretches {
      let r = min(R - 1, done * R / max(1, total))
      if let last = rows[r].last, last.upperBound == s.lowerBound {
        rows[r][rows[r].count - 1] = last.lowerBound..<s.upperBound  // reads on without a reload
      } else {
        rows[r].append(s)
      }
      done += s.count
    }
    // Each row's chunks: (load the kept state first?, first position, positions).
    let chunks = rows.map { runs in
      runs.flatMap { run in
        Swift.stride(from: run.lowerBound, to: run.upperBound, by: T).map {
          (load: $0 == run.lowerBound, start: $0, count: min(T, run.upperBound - $0))
        }
      }
    }
    let K = chunks.map(\.count).max() ?? 0
    let ws = ShardedStep(network: network, batch: R, steps: T, training: false)
    let state = LSTMState<Float>(for: network, batch: R)
    var scratch = ObservationScratch(network: network)
    var x = [Int32](repeating: 0, count: T * R)  // (T, B)
    for k in 0..<K {
      if shouldStop() { return false }
      for r in 0..<R {
        guard k < chunks[r].count else {
          for t in 0..<T { x[t * R + r] = 0 }
          continue
        }
        let c = chunks[r][k]
        if c.load { checkpoints.states[checkpoints.index(before: c.start)].store(row: r, into: state) }
        for t in 0..<T { x[t * R + r] = t < c.count ? tokens[c.start + t] : 0 }
      }
      ws.forward(tokens: x, state: state)
      for t in 0..<T {
        for r in 0..<R where k < chunks[r].count && t < chunks[r][k].count {
          scratch.observe(
            chunk: ws, step: t, row: r, position: chunks[r][k].start + t, tokens: tokens, observe)
        }
      }
    }
    return true
  }
}

/// The buffers one position's `Observation` is assembled in, read from a chunk's caches.
struct ObservationScratch {
  let H: Int, L: Int, V: Int
  var values: [Float]  // (U)
  var gates: [Float]  // (L, 4H)

  init(network: LSTMNetwork<Float>) {
    H = network.config.hiddenSize
    L = network.config.numLayers
    V = network.config.vocabSize
    values = .init(repeating: 0, count: L * 2 * H)
    gates = .init(repeating: 0, count: L * 4 * H)
  }

  /// Observes batch row b's step t of the chunk's last pass as text position p.
  mutating func observe(
    chunk: ShardedStep, step t: Int, row b: Int, position p: Int, tokens: [Int32],
    _ observe: (Observation) -> Void
  ) {
    let (shard, j0) = chunk.shard(ofRow: b), Bs = shard.B, G = 4 * H
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
    let n = tokens.count, probs = shard.logits.p + (t * Bs + j0) * V
    values.withUnsafeBufferPointer { vp in
      gates.withUnsafeBufferPointer { gp in
        observe(
          Observation(
            position: p, stream: b, values: vp.baseAddress!, gates: gp.baseAddress!, probs: probs,
            next: p + 1 < n ? tokens[p + 1] : nil))
      }
    }
  }
}
