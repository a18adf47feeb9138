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
/// The per-cell work (most of the analysis's time once the forward pass runs on
/// both cores) is buffered for `batch` positions, then done on two threads, each
/// for half of the cells and every buffered position in order: each cell sees the
/// same sequence of values as one by one, so the results are the same bits.
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
    prev = Self.make(streams * U, Float(0), &owned)
    topFloor = Self.make(U, -Float.infinity, &owned)
    bottomCeiling = Self.make(U, Float.infinity, &owned)
    saturated = Self.make(U, 0, &owned)
    display = Self.make(U * Self.displayBins, 0, &owned)
    histograms = Self.make(U * Self.fineBins * slots, UInt32(0), &owned)
    var blocks: [PendingBlock] = []
    let gradedCount = graded.count, gateRows = L * 3 * H, units = U
    for _ in 0..<2 {
      blocks.append(
        PendingBlock(
          values: Self.make(units * Self.rowStride, Float(0), &owned),
          graded: Self.make(gradedCount * Self.rowStride, 0.0, &owned),
          gates: Self.make(gateRows * Self.rowStride, Float(0), &owned)))
    }
    self.blocks = blocks
    gateLowCount = Self.make(L * 3 * H, 0, &owned)
    gateHighCount = Self.make(L * 3 * H, 0, &owned)
    allocations = owned
  }

  /// Positions buffered before the per-cell work runs on two threads.
  ///
  /// Many, so that each cell's histogram (400 bins × 1 + binary features) is brought into cache once
  /// for many positions: at 128 the histogram misses were half of the analysis's statistics time.
  static let batch = 2048
  /// The distance between two cells' rows in the cell-major buffers: not a power of two, so that
  /// the rows written at one position do not all map to the same cache sets.
  static let rowStride = batch + 16
  private struct Pending {
    var position: Int, stream: Int, consecutive: Bool, activeBinary: UInt64
  }
  /// Up to `batch` buffered positions, cell-major (transposed), so that the per-cell loop reads each
  /// cell's values in a row.
  private final class PendingBlock: @unchecked Sendable {
    var positions: [Pending] = []
    let values: UnsafeMutablePointer<Float>  // (U, batch)
    let graded: UnsafeMutablePointer<Double>  // (graded, batch)
    let gates: UnsafeMutablePointer<Float>  // (L·3·H, batch): gates i, f, o
    init(
      values: UnsafeMutablePointer<Float>, graded: UnsafeMutablePointer<Double>,
      gates: UnsafeMutablePointer<Float>
    ) {
      self.values = values
      self.graded = graded
      self.gates = gates
      positions.reserveCapacity(CellStatistics.batch)
    }
  }
  /// Two blocks: `observe` fills one while the per-cell work of the other runs on `worker`, so the
  /// recording and the statistics overlap. Blocks are worked in the order they were filled, so every
  /// cell sees its values in text order whatever the timing.
  private let blocks: [PendingBlock]
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

  @inline(__always)
  static func fineBin(_ v: Float) -> Int {
    let c = min(max(v, -0.99999), 0.99999)
    let u = 0.5 * log((1 + c) / (1 - c))  // atanh
    return min(fineBins - 1, max(0, Int((u + 5) / 10 * Float(fineBins))))
  }

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
    let i = block.positions.count, NP = Self.rowStride
    for u in 0..<U { block.values[u * NP + i] = o.values[u] }
    for (gi, f) in graded.enumerated() { block.graded[gi * NP + i] = Double(segmentValues[row + f]) }
    for k in 0..<L {
      for (slot, gate) in Self.gateRows.enumerated() {
        let from = o.gates + k * 4 * H + gate * H, to = block.gates + (k * 3 + slot) * H * NP + i
        for j in 0..<H { to[j * NP] = from[j] }
      }
    }
    block.positions.append(
      Pending(position: o.position, stream: o.stream, consecutive: consecutive, activeBinary: mask))
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
        self.observeCells((half * self.U / 2)..<((half + 1) * self.U / 2), block)
        self.countGates((half * gateRows / 2)..<((half + 1) * gateRows / 2), block)
      }
    } else {
      observeCells(0..<U, block)
      countGates(0..<gateRows, block)
    }
    block.positions.removeAll(keepingCapacity: true)
  }

  /// Gates i, f, o: positions spent below 0.1 and above 0.9, for gate rows `rows` of (L, 3, H).
  private func countGates(_ rows: Range<Int>, _ block: PendingBlock) {
    let N = block.positions.count, NP = Self.rowStride
    for r in rows {
      let g = block.gates + r * NP
      var low = 0, high = 0
      for i in 0..<N {  // branch-free: a gate is below 0.1 or above 0.9 at random, for the branch predictor
        low &+= g[i] < 0.1 ? 1 : 0
        high &+= g[i] > 0.9 ? 1 : 0
      }
      gateLowCount[r] += low
      gateHighCount[r] += high
    }
  }

  /// Moments, extremes, histograms and lag of cells `cells` at every buffered position, in order.
  ///
  /// Cell by cell, each over the buffered positions in order: a cell's accumulators stay in
  /// registers and its histogram in cache, and every cell sees its values in the same order as one
  /// position at a time would give them, so the sums are the same bits.
  private func observeCells(_ cells: Range<Int>, _ block: PendingBlock) {
    let NB = Self.fineBins, DB = Self.displayBins, slots = slots, G = graded.count
    let N = block.positions.count, NP = Self.rowStride
    block.positions.withUnsafeBufferPointer { pending in
      for u in cells {
        let v = block.values + u * NP
        var s = sum[u], ss = sumSq[u], lo = minV[u], hi = maxV[u], sat = saturated[u]
        var lxy = lagSum[u], lpx = lagPrevSum[u], lpxx = lagPrevSumSq[u]
        var lny = lagNextSum[u], lnyy = lagNextSumSq[u]
        let histogram = histograms + u * NB * slots, shown = display + u * DB
        for i in 0..<N {
          let o = pending[i], x = v[i], xd = Double(x)
          s += xd
          ss += xd * xd
          if x < lo { lo = x }
          if x > hi { hi = x }
          if abs(x) > 0.9 { sat += 1 }
          let pv = prev + o.stream * U + u
          if o.consecutive {
            let p = Double(pv.pointee)
            lxy += xd * p
            lpx += p
            lpxx += p * p
            lny += xd
            lnyy += xd * xd
          }
          pv.pointee = x
          let cell = histogram + Self.fineBin(x) * slots
          cell[0] += 1
          var m = o.activeBinary
          while m != 0 {
            cell[1 + m.trailingZeroBitCount] += 1
            m &= m - 1
          }
          shown[min(DB - 1, max(0, Int((x + 1) / 2 * Float(DB))))] += 1
          if x > topFloor[u] || x < bottomCeiling[u] { insertExtreme(u, x, o.position) }
        }
        sum[u] = s
        sumSq[u] = ss
        minV[u] = lo
        maxV[u] = hi
        saturated[u] = sat
        lagSum[u] = lxy
        lagPrevSum[u] = lpx
        lagPrevSumSq[u] = lpxx
        lagNextSum[u] = lny
        lagNextSumSq[u] = lnyy
        // Σ x·y per graded feature, each over the positions in order.
        for gi in 0..<G {
          let y = block.graded + gi * NP
          var acc = sumVY[u * G + gi]
          for i in 0..<N { acc += Double(v[i]) * y[i] }
          sumVY[u * G + gi] = acc
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
