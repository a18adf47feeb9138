import CharLSTM

// The windows the report shows, for the cells on show (issue 15, item 3: no second pass over the
// whole text). The first pass chooses every window's focus: a cell's extremes come from its
// statistics, and its quantile bands' samples from `BandSampler`, which keeps every cell's value at
// a uniform sample of positions. The window pass then reads only the characters around those foci
// (`WindowValues`), and each window is cut from what it read.

/// A quantile band of one cell's values: [lower, upper], a value on an edge in the first band listed.
struct Band {
  var label: String
  var lower: Float, upper: Float
}

/// Every cell's value at a stratified uniform sample of the text's positions: position i of M lies
/// at random (seeded) in the i-th of M equal strata; every position when the text has at most M.
final class BandSampler {
  /// Most positions kept: 4,096, fewer for a large model (the sample takes at most `memoryBudget`);
  /// a band holding 1% of the text then has about 41 sampled positions to choose from.
  static let maxPositions = 4096
  static let memoryBudget = 32 << 20
  static let seed: UInt64 = 0xBA7D

  let units: Int
  let positions: [Int]  // ascending
  private(set) var values: [Float]  // (M, U)

  init(textLength n: Int, units U: Int) {
    units = U
    let most = max(1024, min(Self.maxPositions, Self.memoryBudget / max(1, U * MemoryLayout<Float>.stride)))
    if n <= most {
      positions = Array(0..<n)
    } else {
      var rng = SeededGenerator(seed: Self.seed)
      positions = (0..<most).map { i in
        let lo = i * n / most, hi = (i + 1) * n / most
        return lo + rng.below(hi - lo)
      }
    }
    values = [Float](repeating: 0, count: positions.count * U)
  }

  /// Keeps position p's cell values (U) if it is sampled; any order of positions.
  func observe(position p: Int, values v: UnsafePointer<Float>) {
    var lo = 0, hi = positions.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if positions[mid] < p { lo = mid + 1 } else { hi = mid }
    }
    guard lo < positions.count, positions[lo] == p else { return }
    for u in 0..<units { values[lo * units + u] = v[u] }
  }

  /// For each band of unit u, up to `count` sampled positions whose value lies in it, drawn at random
  /// (without replacement) from those that do, in ascending order: a uniform sample of the band's
  /// positions in the text (each sampled position stands for an equal stratum).
  func foci(unit u: Int, bands: [Band], count: Int, rng: inout SeededGenerator) -> [[Int]] {
    var members = [[Int]](repeating: [], count: bands.count)
    for (i, p) in positions.enumerated() {
      let x = values[i * units + u]
      if let b = bands.firstIndex(where: { x >= $0.lower && x <= $0.upper }) { members[b].append(p) }
    }
    return members.map { candidates in
      var pool = candidates
      let k = min(count, pool.count)
      for i in 0..<k { pool.swapAt(i, i + rng.below(pool.count - i)) }
      return pool.prefix(k).sorted()
    }
  }
}

/// The shown cells' values where their windows (and descriptions) need them, filled by observing a
/// reading of the text (a replay of `ranges`, or a whole run), and the windows cut from them. Each
/// cell keeps only its own positions: (position, cell) entries in compressed rows, so showing every
/// cell (`--all-cells`) costs its windows' positions, not the text's length times the cells.
final class WindowValues {
  let units: [Int]  // the shown cells, as unit indices (D)
  /// Every cell's ranges merged: what a reading must observe. Ascending, disjoint.
  let ranges: [Range<Int>]
  private let offsets: [Int]  // row of each range's first position
  private let rowStart: [Int]  // (rows + 1): row r's entries are rowStart[r]..<rowStart[r + 1]
  private let entryCell: [Int32]  // (entries) the shown cell d of each entry, ascending within a row
  private(set) var values: [Float]  // (entries)

  /// - Parameter cellRanges: per shown cell, the ranges of positions it needs (ascending, disjoint).
  init(units: [Int], cellRanges: [[Range<Int>]]) {
    self.units = units
    let ranges = Self.merge(cellRanges.flatMap { $0 })
    self.ranges = ranges
    var offsets: [Int] = [], rows = 0
    for r in ranges {
      offsets.append(rows)
      rows += r.count
    }
    self.offsets = offsets
    // A cell's range lies within one merged range, so its rows are consecutive from its first.
    func rowsOf(_ r: Range<Int>) -> Range<Int> {
      let first = Self.row(of: r.lowerBound, ranges: ranges, offsets: offsets)!
      return first..<(first + r.count)
    }
    var count = [Int](repeating: 0, count: rows + 1)
    for list in cellRanges { for r in list { for row in rowsOf(r) { count[row + 1] += 1 } } }
    for r in 0..<rows { count[r + 1] += count[r] }
    rowStart = count
    var next = Array(count.dropLast()), cells = [Int32](repeating: 0, count: count[rows])
    for (d, list) in cellRanges.enumerated() {
      for r in list {
        for row in rowsOf(r) {
          cells[next[row]] = Int32(d)
          next[row] += 1
        }
      }
    }
    entryCell = cells
    values = [Float](repeating: 0, count: cells.count)
  }

  /// The ranges covering each focus ± context (clipped to the text) and `prefix`, merged.
  static func ranges(foci: [Int], context C: Int, prefix: Int, textLength n: Int) -> [Range<Int>] {
    var spans = foci.map { max(0, $0 - C)..<min(n, $0 + C + 1) }
    if prefix > 0 { spans.append(0..<min(n, prefix)) }
    return merge(spans)
  }

  private static func merge(_ spans: [Range<Int>]) -> [Range<Int>] {
    var merged: [Range<Int>] = []
    for s in spans.sorted(by: { $0.lowerBound < $1.lowerBound }) where !s.isEmpty {
      if let last = merged.last, s.lowerBound <= last.upperBound {
        merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, s.upperBound)
      } else {
        merged.append(s)
      }
    }
    return merged
  }

  private static func row(of p: Int, ranges: [Range<Int>], offsets: [Int]) -> Int? {
    var lo = 0, hi = ranges.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if ranges[mid].upperBound <= p { lo = mid + 1 } else { hi = mid }
    }
    guard lo < ranges.count, ranges[lo].contains(p) else { return nil }
    return offsets[lo] + p - ranges[lo].lowerBound
  }

  /// The row of position p in `ranges`, or nil when no cell needs it.
  func row(of p: Int) -> Int? { Self.row(of: p, ranges: ranges, offsets: offsets) }

  /// (position, cell) pairs kept.
  var entries: Int { values.count }

  func observe(_ o: Observation) {
    guard let r = row(of: o.position) else { return }
    for e in rowStart[r]..<rowStart[r + 1] { values[e] = o.values[units[Int(entryCell[e])]] }
  }

  /// Shown cell d's value at position p, which must lie in one of d's ranges.
  func value(_ d: Int, at p: Int) -> Float {
    let r = row(of: p)!, end = rowStart[r + 1]
    var lo = rowStart[r], hi = end
    while lo < hi {
      let mid = (lo + hi) / 2
      if entryCell[mid] < Int32(d) { lo = mid + 1 } else { hi = mid }
    }
    precondition(lo < end && entryCell[lo] == Int32(d), "cell \(d) keeps no value at \(p)")
    return values[lo]
  }

  /// The window of shown cell d around `focus`: `context` characters either side, fewer at the
  /// text's ends.
  func window(_ d: Int, focus: Int, context C: Int, symbols: [UInt32]) -> Window {
    let first = max(0, focus - C), last = min(symbols.count - 1, focus + C)
    return Window(
      start: first, focus: focus - first, symbols: Array(symbols[first...last]),
      values: (first...last).map { value(d, at: $0) })
  }
}
