import CharLSTM

// Stitched streams: batched recording with the values of one stream from the first character.
//
// The recorder cuts each segment of the text into S streams run side by side. A stream that starts
// from a zero or warmed-up state is wrong wherever a cell remembers further back than the warm-up (a
// cell that toggles at every `"` never recovers its phase). Stitching gives each stream the state the
// previous stream ends with, which is the state a single stream from the first character would have:
//
//   1. reference pass (batched, unrecorded): every stream runs from a warmed-up state, keeping its
//      state every `interval` characters and at its end;
//   2. sweep (one stream at a time, batch 1): stream b starts from the exact end of stream b − 1 and
//      runs until its state agrees with its reference state at a kept point, to `tolerance`; from
//      there on the reference run is the exact run, so the reference end is stream b's exact end. A
//      stream whose state never agrees (unbounded memory) runs to its end in the sweep;
//   3. the recorder's recorded pass then starts every stream from its exact start.
//
// The sweep usually reads one or two intervals per stream, so the cost is about one extra unrecorded
// batched pass; in the worst case (every stream disagreeing to its end) it reads the text once at
// batch 1, as the exact mode does.

/// The state of one stream between two characters: h and c of every layer.
struct StreamState: Equatable {
  var h: [Float]  // (L, H)
  var c: [Float]  // (L, H)

  static func zero(layers L: Int, hidden H: Int) -> StreamState {
    StreamState(h: .init(repeating: 0, count: L * H), c: .init(repeating: 0, count: L * H))
  }

  /// The largest difference of any h or c value, relative to 1 + |value|: h lies in (−1, 1), but a
  /// long-memory cell's c can reach tens, where Float's rounding alone (batch-1 and batched products
  /// add in different orders) differs by more than an absolute 1e-5.
  func maxDifference(from other: StreamState) -> Float {
    var d: Float = 0
    for j in h.indices {
      d = max(d, abs(h[j] - other.h[j]), abs(c[j] - other.c[j]) / (1 + abs(other.c[j])))
    }
    return d
  }

  /// Reads batch row b of `state` (L, B, H).
  init(row b: Int, of state: LSTMState<Float>) {
    let L = state.layers, B = state.batch, H = state.hidden
    h = .init(repeating: 0, count: L * H)
    c = .init(repeating: 0, count: L * H)
    for k in 0..<L {
      for j in 0..<H {
        h[k * H + j] = state.h[(k * B + b) * H + j]
        c[k * H + j] = state.c[(k * B + b) * H + j]
      }
    }
  }

  init(h: [Float], c: [Float]) {
    self.h = h
    self.c = c
  }

  /// Writes this state into batch row b of `state` (L, B, H).
  func store(row b: Int, into state: LSTMState<Float>) {
    let L = state.layers, B = state.batch, H = state.hidden
    precondition(h.count == L * H && c.count == L * H, "stream state of another shape")
    for k in 0..<L {
      for j in 0..<H {
        state.h[(k * B + b) * H + j] = h[k * H + j]
        state.c[(k * B + b) * H + j] = c[k * H + j]
      }
    }
  }
}

/// How the streams of one segment split it: stream b records positions `starts[b]..<ends[b]`.
struct StreamPlan {
  let starts: [Int]
  let ends: [Int]

  init(segment: Range<Int>, streams S: Int) {
    let len = (segment.count + S - 1) / S
    var starts: [Int] = [], ends: [Int] = []
    for b in 0..<S {
      let r0 = min(segment.upperBound, segment.lowerBound + b * len)
      starts.append(r0)
      ends.append(min(segment.upperBound, r0 + len))
    }
    self.starts = starts
    self.ends = ends
  }
}

/// What stitching measured over a whole text, for `analysis.json` and the overview page.
public struct StitchingSummary: Codable, Sendable, Equatable {
  /// The agreement tolerance: largest absolute difference of any h or c value.
  public var tolerance: Double
  /// The largest difference, at the point of agreement, between a stream's reference state and the
  /// exact state carried from the previous stream (0 when every stream ran to its end in the sweep).
  public var maxBoundaryDifference: Double
  /// Streams stitched (all but the first of each segment).
  public var streams: Int
  /// Streams whose state never agreed with the reference, so the sweep read them whole.
  public var streamsReadWhole: Int
  /// Characters read one stream at a time by the sweep.
  public var sweepCharacters: Int
}

/// Finds every stream's exact start state, segment by segment; see the comment at the top of the file.
final class StreamStitcher {
  let network: LSTMNetwork<Float>
  let steps: Int, warmup: Int, interval: Int
  let tolerance: Float
  private(set) var summary: StitchingSummary
  /// Exact start states by segment start, kept so that a second recording of the same text (the
  /// analyser's window pass) costs nothing more.
  private var cache: [Int: (starts: [StreamState], end: StreamState)] = [:]

  init(network: LSTMNetwork<Float>, steps: Int, warmup: Int, interval: Int, tolerance: Float) {
    self.network = network
    self.steps = steps
    self.warmup = warmup
    self.interval = max(1, interval)
    self.tolerance = tolerance
    summary = StitchingSummary(
      tolerance: Double("\(tolerance)") ?? Double(tolerance), maxBoundaryDifference: 0, streams: 0,
      streamsReadWhole: 0,
      sweepCharacters: 0)
  }

  /// The exact start state of every stream of the segment, given the exact state before its first
  /// character (`first`), and the exact state after its last character. When `shouldStop` fires
  /// the states are unfinished and not cached: the caller must abandon the reading.
  func startStates(
    tokens: [Int32], plan: StreamPlan, segmentStart: Int, first: StreamState,
    shouldStop: () -> Bool = { false }
  )
    -> (starts: [StreamState], end: StreamState)
  {
    let S = plan.starts.count
    let reference = referencePass(tokens: tokens, plan: plan, first: first, shouldStop: shouldStop)
    var starts = [first]
    var exactEnd = reference.ends[0]  // stream 0 starts exactly, so its reference run is exact
    for b in 1..<S {
      if shouldStop() { return (starts, exactEnd) }
      starts.append(exactEnd)
      let r0 = plan.starts[b], r1 = plan.ends[b]
      guard r1 > r0 else { continue }  // an empty stream ends where it starts
      summary.streams += 1
      exactEnd = sweep(
        tokens: tokens, from: r0, to: r1, start: exactEnd, kept: reference.kept[b], end: reference.ends[b],
        shouldStop: shouldStop)
    }
    if shouldStop() { return (starts, exactEnd) }
    cache[segmentStart] = (starts, exactEnd)
    return (starts, exactEnd)
  }

  /// The start states and exact end computed for this segment before, if any.
  func cached(segmentStart: Int) -> (starts: [StreamState], end: StreamState)? { cache[segmentStart] }

  /// Runs stream b exactly from `start` until it agrees with its reference run; returns its exact end.
  private func sweep(
    tokens: [Int32], from r0: Int, to r1: Int, start: StreamState, kept: [StreamState], end: StreamState,
    shouldStop: () -> Bool
  ) -> StreamState {
    let state = LSTMState<Float>(for: network, batch: 1)
    start.store(row: 0, into: state)
    var p = r0, j = 0
    let full = ShardedStep(network: network, batch: 1, steps: interval, training: false)
    while p < r1 {
      if shouldStop() { return end }
      let n = min(interval, r1 - p)
      let chunk = n == interval ? full : ShardedStep(network: network, batch: 1, steps: n, training: false)
      let x = Array(tokens[p..<(p + n)])
      x.withUnsafeBufferPointer { chunk.forward(tokens: $0.baseAddress!, state: state) }
      p += n
      summary.sweepCharacters += n
      if p == r1 || j >= kept.count { break }
      let d = StreamState(row: 0, of: state).maxDifference(from: kept[j])
      if d <= tolerance {
        summary.maxBoundaryDifference = max(summary.maxBoundaryDifference, Double(d))
        return end
      }
      j += 1
    }
    summary.streamsReadWhole += 1
    return StreamState(row: 0, of: state)
  }

  /// Every stream from a warmed-up state (stream 0 from `first`), batched and unrecorded: the state
  /// after every `interval` characters of its own positions (`kept`, before its last one) and at its end.
  private func referencePass(tokens: [Int32], plan: StreamPlan, first: StreamState, shouldStop: () -> Bool)
    -> (kept: [[StreamState]], ends: [StreamState])
  {
    let S = plan.starts.count, T = steps
    let runStart = (0..<S).map { b in b == 0 ? plan.starts[0] : max(0, plan.starts[b] - warmup) }
    let state = LSTMState<Float>(for: network, batch: S)
    first.store(row: 0, into: state)
    var kept = [[StreamState]](repeating: [], count: S)
    var ends = (0..<S).map { _ in first }
    let total = (0..<S).map { plan.ends[$0] - runStart[$0] }.max() ?? 0
    let full = ShardedStep(network: network, batch: S, steps: T, training: false)
    var x = [Int32](repeating: 0, count: T * S)  // (T, B)
    var t0 = 0
    while t0 < total {
      if shouldStop() { break }
      let n = min(T, total - t0)
      let chunk = n == T ? full : ShardedStep(network: network, batch: S, steps: n, training: false)
      for t in 0..<n {
        for b in 0..<S {
          let p = runStart[b] + t0 + t
          x[t * S + b] = p < plan.ends[b] ? tokens[p] : 0
        }
      }
      chunk.forward(tokens: x, state: state)
      for b in 0..<S {
        let r0 = plan.starts[b], r1 = plan.ends[b]
        guard r1 > r0 else { continue }
        for t in 0..<n {
          let p = runStart[b] + t0 + t  // the state after reading p
          guard p >= r0, p < r1 else { continue }
          if p == r1 - 1 {
            ends[b] = StreamState(cachesOf: chunk, row: b, step: t, network: network)
          } else if (p - r0 + 1) % interval == 0 {
            kept[b].append(StreamState(cachesOf: chunk, row: b, step: t, network: network))
          }
        }
      }
      t0 += n
    }
    return (kept, ends)
  }
}

extension StreamState {
  /// The state of batch row b after step t of the chunk's last pass, read from the shard's caches.
  init(cachesOf chunk: ShardedStep, row b: Int, step t: Int, network: LSTMNetwork<Float>) {
    let (ws, j0) = chunk.shard(ofRow: b)
    let H = network.config.hiddenSize, L = network.config.numLayers, Bs = ws.B
    self = .zero(layers: L, hidden: H)
    for k in 0..<L {
      let cache = ws.layers[k]
      let h = cache.h.p + ((t + 1) * Bs + j0) * H, c = cache.c.p + ((t + 1) * Bs + j0) * H
      for j in 0..<H {
        self.h[k * H + j] = h[j]
        self.c[k * H + j] = c[j]
      }
    }
  }
}
