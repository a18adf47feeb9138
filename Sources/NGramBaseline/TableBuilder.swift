/// Builds the `NGramTable` of a `KneserNeyModel` from its suffix index in one scan of the
/// suffix array per level: substrings of length k that occur at least twice are the runs
/// of ≥ 2 adjacent suffixes whose common prefixes are ≥ k, and their followers are the
/// sub-runs at level k + 1. Time O(order × n); distinct counts use stamp arrays over the
/// vocabulary instead of sets.
struct TableBuilder {
  let index: SuffixIndex
  let vocabularySize: Int
  let powers: [UInt64]
  private var stamps: [Int]
  private var childStamps: [Int]
  private var generation = 0
  /// rawCountOfCounts[k − 1][j − 1]: k-grams occurring exactly j times, j = 1…4.
  private(set) var rawCountOfCounts: [[Int]]
  /// The same for continuation counts N1+(•s).
  private(set) var continuationCountOfCounts: [[Int]]

  init(index: SuffixIndex, vocabularySize: Int, powers: [UInt64]) {
    self.index = index
    self.vocabularySize = vocabularySize
    self.powers = powers
    stamps = [Int](repeating: -1, count: vocabularySize)
    childStamps = [Int](repeating: -1, count: vocabularySize)
    rawCountOfCounts = Array(repeating: [0, 0, 0, 0], count: index.depth)
    continuationCountOfCounts = Array(repeating: [0, 0, 0, 0], count: index.depth)
  }

  /// The table and the stats of the empty context.
  mutating func build() -> (NGramTable, SubstringStats) {
    let n = index.text.count
    let lcp = index.lcp
    let depth = index.depth
    // A run at level k starts wherever lcp[i] ≥ k > lcp[i−1].
    var expected = 0
    for i in 1..<max(n, 1) {
      expected += max(0, Int(lcp[i]) - Int(lcp[i - 1]))
    }
    var table = NGramTable(expectedCount: expected)
    var empty = followers(lo: 0, hi: n, level: 0)
    empty.count = UInt32(n)
    for k in 1...depth {
      var i = 0
      while i < n {
        var j = i + 1
        while j < n && Int(lcp[j]) >= k { j += 1 }
        if j - i == 1 && Int(index.order[i]) + k <= n {
          // A k-gram occurring once: counted for the discounts, not stored.
          rawCountOfCounts[k - 1][0] += 1
          if index.order[i] > 0 { continuationCountOfCounts[k - 1][0] += 1 }
        }
        if j - i >= 2 {
          var entry = k < depth ? followers(lo: i, hi: j, level: k) : SubstringStats()
          entry.count = UInt32(j - i)
          entry.continuation = distinctPredecessors(lo: i, hi: j, child: false)
          if j - i <= 4 { rawCountOfCounts[k - 1][j - i - 1] += 1 }
          if (1...4).contains(entry.continuation) {
            continuationCountOfCounts[k - 1][Int(entry.continuation) - 1] += 1
          }
          let start = Int(index.order[i])
          var raw: UInt64 = 0
          for offset in 0..<k {
            raw = raw &+ (UInt64(index.text[start + offset]) &+ 1) &* powers[k - 1 - offset]
          }
          table.insert(
            key: SubstringHash.key(raw: raw, length: k), position: start, length: k, stats: entry)
        }
        i = j
      }
    }
    return (table, empty)
  }

  /// Follower stats (followSum, followTypes, continuationSum, continuationTypes) of the
  /// substring of length `level` shared by the suffixes `order[lo..<hi]`.
  private mutating func followers(lo: Int, hi: Int, level k: Int) -> SubstringStats {
    var result = SubstringStats()
    let n = index.text.count
    var r = lo
    while r < hi {
      if Int(index.order[r]) + k >= n {
        r += 1  // this occurrence ends the text: no follower
        continue
      }
      var e = r + 1
      while e < hi && Int(index.lcp[e]) >= k + 1 { e += 1 }
      let continuation = distinctPredecessors(lo: r, hi: e, child: true)
      result.followSum += UInt32(e - r)
      result.followTypes += 1
      if e - r == 1 { result.followOnes += 1 }
      if e - r == 2 { result.followTwos += 1 }
      result.continuationSum += continuation
      if continuation > 0 { result.continuationTypes += 1 }
      if continuation == 1 { result.continuationOnes += 1 }
      if continuation == 2 { result.continuationTwos += 1 }
      r = e
    }
    return result
  }

  /// Distinct symbols right before the suffixes `order[lo..<hi]`.
  private mutating func distinctPredecessors(lo: Int, hi: Int, child: Bool) -> UInt32 {
    generation += 1
    var distinct: UInt32 = 0
    for r in lo..<hi {
      let position = Int(index.order[r])
      guard position > 0 else { continue }
      let symbol = Int(index.text[position - 1])
      if child {
        if childStamps[symbol] != generation {
          childStamps[symbol] = generation
          distinct += 1
        }
      } else if stamps[symbol] != generation {
        stamps[symbol] = generation
        distinct += 1
      }
    }
    return distinct
  }
}
