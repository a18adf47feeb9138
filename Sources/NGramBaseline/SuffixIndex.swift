/// Suffix array over a symbol sequence, sorted by the first `depth` symbols only.
///
/// Substring counts of length up to `depth` need no deeper order: suffixes that share a
/// k-symbol prefix (k ≤ depth) are adjacent. Ties beyond `depth` keep position order, so the
/// array is deterministic. Memory: 4 bytes per symbol for the array, 1 byte for the LCPs.
struct SuffixIndex: Sendable {
  /// The indexed sequence; symbols are in `0..<vocabularySize`.
  let text: [Int32]
  /// Start positions of the suffixes in sorted order (a permutation of `0..<text.count`).
  let order: [UInt32]
  /// `lcp[i]`: common prefix length of suffixes `order[i-1]` and `order[i]`, capped at
  /// `depth`; `lcp[0] = 0`.
  let lcp: [UInt8]
  let depth: Int

  /// Sorts by LSD radix sort, one stable counting pass per prefix position: O(depth × n).
  /// - Precondition: `1 ≤ depth ≤ 255`, every symbol in `0..<vocabularySize`.
  init(text: [Int32], vocabularySize: Int, depth: Int) {
    self.text = text
    self.depth = depth
    let n = text.count
    var current = [UInt32](unsafeUninitializedCapacity: n) { buffer, count in
      for i in 0..<n { buffer[i] = UInt32(i) }
      count = n
    }
    var next = [UInt32](repeating: 0, count: n)
    // Bucket 0 is "past the end", which sorts before every symbol.
    var bucketStart = [Int](repeating: 0, count: vocabularySize + 2)
    text.withUnsafeBufferPointer { t in
      for offset in stride(from: depth - 1, through: 0, by: -1) {
        for i in bucketStart.indices { bucketStart[i] = 0 }
        for p in 0..<n {
          let q = p + offset
          bucketStart[q < n ? Int(t[q]) + 2 : 1] += 1
        }
        for i in 1..<bucketStart.count { bucketStart[i] += bucketStart[i - 1] }
        for suffix in current {
          let q = Int(suffix) + offset
          let bucket = q < n ? Int(t[q]) + 1 : 0
          next[bucketStart[bucket]] = suffix
          bucketStart[bucket] += 1
        }
        swap(&current, &next)
      }
    }
    order = current
    var lcp = [UInt8](repeating: 0, count: n)
    text.withUnsafeBufferPointer { t in
      for i in 1..<max(n, 1) {
        let a = Int(current[i - 1])
        let b = Int(current[i])
        var k = 0
        while k < depth && a + k < n && b + k < n && t[a + k] == t[b + k] { k += 1 }
        lcp[i] = UInt8(k)
      }
    }
    self.lcp = lcp
  }

  /// The half-open range of `order` whose suffixes start with `pattern`.
  /// - Precondition: `pattern.count ≤ depth` (deeper patterns are not sorted).
  func range(of pattern: Slice<UnsafeBufferPointer<Int32>>) -> Range<Int> {
    let lower = bound(of: pattern, strictlyAbove: false)
    let upper = bound(of: pattern, strictlyAbove: true)
    return lower..<upper
  }

  /// The first index whose suffix compares ≥ `pattern` (or > it, as a prefix, when
  /// `strictlyAbove`).
  private func bound(of pattern: Slice<UnsafeBufferPointer<Int32>>, strictlyAbove: Bool) -> Int {
    var low = 0
    var high = order.count
    while low < high {
      let mid = (low + high) / 2
      let c = comparePrefix(Int(order[mid]), pattern)
      if c < 0 || (strictlyAbove && c == 0) {
        low = mid + 1
      } else {
        high = mid
      }
    }
    return low
  }

  /// -1, 0 or 1 as the suffix at `start`, cut to `pattern.count` symbols, sorts before,
  /// equal to or after `pattern`.
  private func comparePrefix(_ start: Int, _ pattern: Slice<UnsafeBufferPointer<Int32>>) -> Int {
    var p = pattern.startIndex
    var q = start
    while p < pattern.endIndex {
      if q >= text.count { return -1 }
      if text[q] != pattern[p] { return text[q] < pattern[p] ? -1 : 1 }
      p += 1
      q += 1
    }
    return 0
  }
}
