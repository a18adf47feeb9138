import CPackedKernels
import CharLSTM
import Dispatch
import Foundation

/// Streaming statistics of every cell against every feature: the first pass of
/// the analysis. Memory is fixed by the model and feature counts, never by the
/// text's length.
///
/// Binary features are scored by ROC AUC from fine histograms: per cell, the
/// values at positions where the feature is on, and all values, in `fineBins`
/// bins equally spaced in atanh(v) over [-5, 5] (so saturated cells keep their
/// resolution). Pairs that fall in the same bin count as ties, so the AUC is
/// exact up to ½·Σ_b pos_b·neg_b / (P·N), the bound `CellScoring` reports.
/// Graded features are scored by Pearson r from running sums.
///
/// The per-cell work is buffered for `batch` positions, then done by a C kernel
/// (CellStatisticsKernel.c) on two threads, each for half of the cells and every
/// buffered position in order: each cell sees the same sequence of values as one
/// by one, so the results are the same bits.
/// Call `flush()` after the last observation.
final class CellStatistics: @unchecked Sendable {
  static let fineBins = 400
  static let gateRows = [0, 1, 3]  // i, f, o among i, f, g, o
  static let displayBins = 40

  let U: Int, L: Int, H: Int, V: Int
  let features: [TextFeature]
  let binary: [Int], graded: [Int]  // indices into `features`
  let topK: Int, gap: Int

  // The per-cell accumulators are written for every cell at every position, so they
  // live in raw memory (no bounds, uniqueness or exclusivity checks in that loop),
  // and the histograms of one cell and bin for all binary features sit side by side.
  var count = 0
  let sum: UnsafeMutablePointer<Double>, sumSq: UnsafeMutablePointer<Double>  // (U)
  let minV: UnsafeMutablePointer<Float>, maxV: UnsafeMutablePointer<Float>,
    saturated: UnsafeMutablePointer<Int>
  /// Lag-1 pairs (x_{t-1}, x_t) within a stream: Σxy, and Σx, Σx², Σy, Σy² over the
  /// pairs, so that their correlation is centred on the pairs' own means (the whole
  /// text's moments would leave an O(1/n) error that dwarfs a steady cell's variance).
  let lagSum: UnsafeMutablePointer<Double>
  var lagCount = 0
  let lagPrevSum: UnsafeMutablePointer<Double>, lagPrevSumSq: UnsafeMutablePointer<Double>
  let lagNextSum: UnsafeMutablePointer<Double>, lagNextSumSq: UnsafeMutablePointer<Double>
  let prev: UnsafeMutablePointer<Float>  // (streams, U) previous values, for the lag-1 autocorrelation
  var prevPosition: [Int]
  /// (U, fineBins, 1 + binary): slot 0 counts all positions, slot 1 + b those where
  /// binary feature b is on. Read with `allCounts` and `positiveCounts`.
  let histograms: UnsafeMutablePointer<UInt32>
  let slots: Int
  let display: UnsafeMutablePointer<Int>  // (U, displayBins) uniform over [-1, 1]
  let sumVY: UnsafeMutablePointer<Double>  // (U, graded)
  var featureSum: [Double], featureSumSq: [Double]  // (features)
  var charCount: [Double], charFeatureSum: [Double], charFeatureSumSq: [Double]  // (V), (V, F), (V, F)
  /// Positions where gate i, f or o of each cell was below 0.1 / above 0.9.
  let gateLowCount: UnsafeMutablePointer<Int>, gateHighCount: UnsafeMutablePointer<Int>  // (L, 3, H)
  /// Per unit, up to K (value, position). A class per unit, so that the two threads
  /// of a flush mutate only their own cells' lists, never the arrays holding them.
  final class Extremes: @unchecked Sendable { var items: [(Float, Int)] = [] }
  let top: [Extremes], bottom: [Extremes]
  /// The value a new one must beat to enter `top[u]` / `bottom[u]` (±infinity while not full).
  let topFloor: UnsafeMutablePointer<Float>, bottomCeiling: UnsafeMutablePointer<Float>
  private var allocations: [UnsafeMutableRawPointer] = []

  private static func make<T>(_ count: Int, _ value: T, _ owned: inout [UnsafeMutableRawPointer])
    -> UnsafeMutablePointer<T>
  {
    let p = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
    p.initialize(repeating: value, count: max(count, 1))
    owned.append(UnsafeMutableRawPointer(p))
    return p
  }

  deinit { for p in allocations { p.deallocate() } }

  /// Cell u's counts of all positions per fine bin.
  func allCounts(_ u: Int) -> ArraySlice<UInt32> {
    (0..<Self.fineBins).map { histograms[(u * Self.fineBins + $0) * slots] }[...]
  }

  /// Cell u's counts of the positions where binary feature `bi` (an index into `binary`) is on.
  func positiveCounts(_ u: Int, binary bi: Int) -> ArraySlice<UInt32> {
    (0..<Self.fineBins).map { histograms[(u * Self.fineBins + $0) * slots + 1 + bi] }[...]
  }

  // Per model
  var lossSum = 0.0, predictions = 0, top1 = 0, top5 = 0
  var surprises: [(Double, Int)] = []  // (nats, position), the largest few

  // Current segment's feature values: (positions, features)
  var segment: Range<Int> = 0..<0
  var segmentValues: [Float] = []

  /// Threads for the per-cell work of `flush` (two halves of the cells when 2).
  let threads: Int

  init(config: ModelConfig, features: [TextFeature], streams: Int, topK: Int, gap: Int, threads: Int = 2) {
    self.threads = threads
    L = config.numLayers
    H = config.hiddenSize
    V = config.vocabSize
    U = L * 2 * H
    self.features = features
    binary = features.indices.filter { features[$0].kind == .binary }
    graded = features.indices.filter { features[$0].kind == .graded }
    self.topK = topK
    self.gap = gap
    let F = features.count
    slots = 1 + binary.count
    prevPosition = .init(repeating: -2, count: streams)
    featureSum = .init(repeating: 0, count: F)
    featureSumSq = featureSum
    charCount = .init(repeating: 0, count: V)
    charFeatureSum = .init(repeating: 0, count: V * F)
    charFeatureSumSq = charFeatureSum
    top = (0..<U).map { _ in Extremes() }
    bottom = (0..<U).map { _ in Extremes() }
    precondition(binary.count <= 64, "binary features are kept as a 64-bit mask")
    var owned: [UnsafeMutableRawPointer] = []
    sum = Self.make(U, 0.0, &owned)
    sumSq = Self.make(U, 0.0, &owned)
    lagSum = Self.make(U, 0.0, &owned)
    lagPrevSum = Self.make(U, 0.0, &owned)
    lagPrevSumSq = Self.make(U, 0.0, &owned)
    lagNextSum = Self.make(U, 0.0, &owned)
    lagNextSumSq = Self.make(U, 0.0, &owned)
    sumVY = Self.make(U * graded.count, 0.0, &owned)
    minV = Self.make(U, Float.infinity, &owned)
    maxV = Self.make(U, -Float.infinity, &owned)
    prev = Self.make(streams * U + Self.lanes, Float(0), &owned)
    topFloor = Self.make(U, -Float.infinity, &owned)
    bottomCeiling = Self.make(U, Float.infinity, &owned)
    saturated = Self.make(U, 0, &owned)
    display = Self.make(U * Self.displayBins, 0, &owned)
    histograms = Self.make(U * Self.fineBins * slots, UInt32(0), &owned)
    var blocks: [PendingBlock] = []
    let gradedCount = graded.count, gateRows = L * 3 * H, units = U, B = Self.batch
    for _ in 0..<2 {
      blocks.append(
        PendingBlock(
          // 16 floats of slack: the kernel reads a position's cells 16 at a time.
          values: Self.make(B * units + Self.lanes, Float(0), &owned),
          graded: Self.make(B * gradedCount, 0.0, &owned), gates: Self.make(B * gateRows, Float(0), &owned),
          stream: Self.make(B, Int32(0), &owned), consecutive: Self.make(B, UInt8(0), &owned),
          active: Self.make(B, UInt64(0), &owned)))
    }
    self.blocks = blocks
    let candidateCount = B * (units + Self.lanes) / Self.lanes
    candidates = [Self.make(candidateCount, UInt16(0), &owned), Self.make(candidateCount, UInt16(0), &owned)]
    gateLowCount = Self.make(L * 3 * H, 0, &owned)
    gateHighCount = Self.make(L * 3 * H, 0, &owned)
    allocations = owned
  }

  /// Positions buffered before the per-cell work runs on two threads.
  ///
  /// Many, so that each cell's histogram (400 bins × 1 + binary features) is brought into cache once
  /// for many positions: at 128 the histogram misses were half of the analysis's statistics time.
  static let batch = 2048
  /// Cells the kernel advances at once (CellStatisticsKernel.c), and the slack its reads need.
  static let lanes = 16
  /// Up to `batch` buffered positions, position-major as they arrive (a copy, no transposition, on
  /// the recording's thread).
  private final class PendingBlock: @unchecked Sendable {
    var positions: [Int] = []
    let values: UnsafeMutablePointer<Float>  // (batch, U) + 16
    let graded: UnsafeMutablePointer<Double>  // (batch, graded)
    let gates: UnsafeMutablePointer<Float>  // (batch, L·3·H): gates i, f, o
    let stream: UnsafeMutablePointer<Int32>  // (batch)
    let consecutive: UnsafeMutablePointer<UInt8>  // (batch)
    let active: UnsafeMutablePointer<UInt64>  // (batch) binary features on
    init(
      values: UnsafeMutablePointer<Float>, graded: UnsafeMutablePointer<Double>,
      gates: UnsafeMutablePointer<Float>, stream: UnsafeMutablePointer<Int32>,
      consecutive: UnsafeMutablePointer<UInt8>, active: UnsafeMutablePointer<UInt64>
    ) {
      self.values = values
      self.graded = graded
      self.gates = gates
      self.stream = stream
      self.consecutive = consecutive
      self.active = active
      positions.reserveCapacity(CellStatistics.batch)
    }
  }
  /// Two blocks: `observe` fills one while the per-cell work of the other runs on `worker`, so the
  /// recording and the statistics overlap. Blocks are worked in the order they were filled, so every
  /// cell sees its values in text order whatever the timing.
  private let blocks: [PendingBlock]
  /// Per half of the cells: the kernel's (batch, groups of 16 cells) masks of extreme candidates.
  private let candidates: [UnsafeMutablePointer<UInt16>]
  private var filling = 0
  private let worker = DispatchQueue(label: "cellscope.statistics")
  private let inFlight = DispatchGroup()

  /// Computes the features of a segment; scanners advance in text order.
  func startSegment(_ range: Range<Int>, text: [Unicode.Scalar], scanners: inout [any FeatureScanner]) {
    segment = range
    let F = features.count
    segmentValues = .init(repeating: 0, count: range.count * F)
    for f in 0..<F {
      for p in range { segmentValues[(p - range.lowerBound) * F + f] = scanners[f].value(at: p, in: text) }
    }
  }

  /// The reference definition of the fine bins: atanh(v) (v clamped to ±0.99999) in 400 equal bins
  /// over [-5, 5]. The kernel finds the same bin in `fineEdges`.
  @inline(__always)
  static func fineBin(_ v: Float) -> Int {
    let c = min(max(v, -0.99999), 0.99999)
    let u = 0.5 * log((1 + c) / (1 - c))  // atanh
    return min(fineBins - 1, max(0, Int((u + 5) / 10 * Float(fineBins))))
  }

  /// (512) For each bin b ≥ 1, the smallest float whose `fineBin` is b or more; +infinity past the
  /// last bin. `fineBin` never decreases as its argument grows (each of its operations is rounded
  /// monotonically), so a search over these edges gives its bin without a logarithm.
  static let fineEdges: [Float] = {
    // Floats in [-1, 1] ordered by an integer key, to bisect over every float between them.
    func key(_ x: Float) -> Int64 {
      let b = Int64(x.bitPattern)
      return x.sign == .minus ? -(b & 0x7fff_ffff) : b
    }
    func float(_ k: Int64) -> Float {
      k < 0 ? Float(bitPattern: UInt32(-k) | 0x8000_0000) : Float(bitPattern: UInt32(k))
    }
    var edges = [Float](repeating: .infinity, count: 512)
    edges[0] = -1
    for b in 1..<fineBins {
      var lo = key(-1), hi = key(1)  // fineBin(-1) = 0 < b ≤ fineBin(1) = 399
      while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2
        if fineBin(float(mid)) >= b { hi = mid } else { lo = mid }
      }
      edges[b] = float(hi)
    }
    return edges
  }()

  /// The value range [lower, upper) of a fine bin.
  static func fineBinRange(_ b: Int) -> (Double, Double) {
    let u0 = Double(b) / Double(fineBins) * 10 - 5, u1 = Double(b + 1) / Double(fineBins) * 10 - 5
    return (b == 0 ? -1 : Foundation.tanh(u0), b == fineBins - 1 ? 1 : Foundation.tanh(u1))
  }

  func observe(_ o: Observation, symbol: Int) {
    let F = features.count, row = (o.position - segment.lowerBound) * F
    count += 1
    // Buffer what the per-cell loop needs: the values, and this position's features.
    let consecutive = prevPosition[o.stream] == o.position - 1
    if consecutive { lagCount += 1 }
    var mask: UInt64 = 0
    for (bi, f) in binary.enumerated() where segmentValues[row + f] > 0.5 { mask |= 1 << UInt64(bi) }
    let block = blocks[filling]
    let i = block.positions.count, G = graded.count, R = L * 3 * H
    (block.values + i * U).update(from: o.values, count: U)
    for (gi, f) in graded.enumerated() { block.graded[i * G + gi] = Double(segmentValues[row + f]) }
    for k in 0..<L {
      for (slot, gate) in Self.gateRows.enumerated() {
        (block.gates + i * R + (k * 3 + slot) * H).update(from: o.gates + k * 4 * H + gate * H, count: H)
      }
    }
    block.stream[i] = Int32(o.stream)
    block.consecutive[i] = consecutive ? 1 : 0
    block.active[i] = mask
    block.positions.append(o.position)
    if block.positions.count == Self.batch { submit() }
    prevPosition[o.stream] = o.position
    // Features and what the current character alone says about them.
    charCount[symbol] += 1
    for f in 0..<F {
      let y = Double(segmentValues[row + f])
      featureSum[f] += y
      featureSumSq[f] += y * y
      charFeatureSum[symbol * F + f] += y
      charFeatureSumSq[symbol * F + f] += y * y
    }
    // Predictions.
    if let next = o.next {
      let pTrue = o.probs[Int(next)]
      var higher = 0
      for c in 0..<V where o.probs[c] > pTrue { higher += 1 }
      if higher == 0 { top1 += 1 }
      if higher < 5 { top5 += 1 }
      let nats = -Foundation.log(max(Double(pTrue), 1e-30))
      lossSum += nats
      predictions += 1
      noteSurprise(nats, o.position)
    }
  }

  /// Hands the filled block to `worker` (after the block before it is done) and fills the other.
  private func submit() {
    let block = blocks[filling]
    guard !block.positions.isEmpty else { return }
    inFlight.wait()  // the other block's work is done: it may be refilled
    worker.async(group: inFlight) { self.work(block) }
    filling = 1 - filling
  }

  /// Finishes the per-cell work of every observed position; call after the last observation, before
  /// reading the per-cell results.
  func flush() {
    submit()
    inFlight.wait()
  }

  /// The per-cell work of one block, on two threads when there are enough cells to pay for the
  /// hand-off (at 2 x 128, 512 cells, it pays).
  private func work(_ block: PendingBlock) {
    let gateRows = L * 3 * H
    if threads >= 2 && U >= 256 {
      DispatchQueue.concurrentPerform(iterations: 2) { half in
        // Halves on a multiple of 16 cells, so that only the last group is partial.
        let split = (self.U / 2 + Self.lanes - 1) / Self.lanes * Self.lanes
        self.observeCells(half == 0 ? 0..<split : split..<self.U, block, candidates: self.candidates[half])
        let rows = (half * gateRows / 2)..<((half + 1) * gateRows / 2)
        cs_count_gates(
          block.gates, block.positions.count, gateRows, rows.lowerBound, rows.upperBound, gateLowCount,
          gateHighCount)
      }
    } else {
      observeCells(0..<U, block, candidates: candidates[0])
      cs_count_gates(block.gates, block.positions.count, gateRows, 0, gateRows, gateLowCount, gateHighCount)
    }
    block.positions.removeAll(keepingCapacity: true)
  }

  /// Moments, extremes, histograms and lag of cells `cells` at every buffered position, in order.
  ///
  /// The kernel advances 16 cells at a time through the positions in order, so every cell sees its
  /// values in the same order as one position at a time would give them: the sums are the same bits
  /// (CellStatisticsTests checks them against a position-by-position reference). It marks the
  /// positions that may enter a cell's extremes; they are inserted here, in order.
  private func observeCells(
    _ cells: Range<Int>, _ block: PendingBlock, candidates: UnsafeMutablePointer<UInt16>
  ) {
    let N = block.positions.count
    guard N > 0, !cells.isEmpty else { return }
    var input = cs_cell_block(
      positions: N, units: U, values: block.values, stream: block.stream, consecutive: block.consecutive,
      active: block.active, graded: block.graded, gradedCount: graded.count)
    Self.fineEdges.withUnsafeBufferPointer { edges in
      var state = cs_cell_accumulators(
        edges: edges.baseAddress, fineBins: Self.fineBins, slots: slots, displayBins: Self.displayBins,
        sum: sum, sumSq: sumSq, minV: minV, maxV: maxV, saturated: saturated, lagSum: lagSum,
        lagPrevSum: lagPrevSum, lagPrevSumSq: lagPrevSumSq, lagNextSum: lagNextSum,
        lagNextSumSq: lagNextSumSq, prev: prev, histograms: histograms, display: display, sumVY: sumVY,
        topFloor: topFloor, bottomCeiling: bottomCeiling)
      cs_cell_statistics(&input, &state, cells.lowerBound, cells.upperBound, candidates)
    }
    let groups = (cells.count + Self.lanes - 1) / Self.lanes
    for i in 0..<N {
      for g in 0..<groups {
        var m = candidates[i * groups + g]
        while m != 0 {
          let u = cells.lowerBound + g * Self.lanes + m.trailingZeroBitCount
          m &= m - 1
          let x = block.values[i * U + u]
          if x > topFloor[u] || x < bottomCeiling[u] { insertExtreme(u, x, block.positions[i]) }
        }
      }
    }
  }

  /// Keeps the K largest and K smallest values of cell u at positions at least
  /// `gap` apart (a new extreme displaces the weaker overlapping ones).
  private func insertExtreme(_ u: Int, _ x: Float, _ p: Int) {
    let top = top[u], bottom = bottom[u]
    if top.items.count < topK || x > top.items[top.items.count - 1].0 {
      Self.insert(&top.items, x, p, topK, gap, >)
    }
    if bottom.items.count < topK || x < bottom.items[bottom.items.count - 1].0 {
      Self.insert(&bottom.items, x, p, topK, gap, <)
    }
    topFloor[u] = top.items.count < topK ? -.infinity : top.items[top.items.count - 1].0
    bottomCeiling[u] = bottom.items.count < topK ? .infinity : bottom.items[bottom.items.count - 1].0
  }

  static func insert(
    _ list: inout [(Float, Int)], _ x: Float, _ p: Int, _ K: Int, _ gap: Int, _ better: (Float, Float) -> Bool
  ) {
    let overlapping = list.indices.filter { abs(list[$0].1 - p) < gap }
    if overlapping.contains(where: { !better(x, list[$0].0) }) { return }
    for i in overlapping.reversed() { list.remove(at: i) }
    list.append((x, p))
    list.sort { better($0.0, $1.0) || ($0.0 == $1.0 && $0.1 < $1.1) }
    if list.count > K { list.removeLast() }
  }

  private func noteSurprise(_ nats: Double, _ p: Int) {
    let keep = 20
    if surprises.count < keep || nats > surprises[surprises.count - 1].0 {
      surprises.append((nats, p))
      surprises.sort { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
      if surprises.count > keep { surprises.removeLast() }
    }
  }
}
