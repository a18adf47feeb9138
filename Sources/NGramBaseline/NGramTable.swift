/// Counts for one substring `s` of the training text that occurs at least twice.
///
/// Substrings that occur once are not stored: everything about them follows from their
/// single position (see `SuffixIndex`), and they are most of the substrings at high orders.
struct SubstringStats: Sendable, Equatable {
  /// c(s): occurrences of `s` in the training text.
  var count: UInt32 = 0
  /// N1+(•s): distinct symbols seen right before `s` (occurrences at position 0 have none).
  var continuation: UInt32 = 0
  /// c(s•) = Σ_w c(sw): occurrences of `s` followed by a symbol.
  var followSum: UInt32 = 0
  /// N1+(s•): distinct symbols seen right after `s`.
  var followTypes: UInt32 = 0
  /// N1+(•s•) = Σ_w N1+(•sw): distinct (before, after) pairs around `s`.
  var continuationSum: UInt32 = 0
  /// |{w : N1+(•sw) > 0}|.
  var continuationTypes: UInt32 = 0
  /// |{w : c(sw) = 1}| and |{w : c(sw) = 2}| (modified KN's backoff weight).
  var followOnes: UInt32 = 0
  var followTwos: UInt32 = 0
  /// |{w : N1+(•sw) = 1}| and |{w : N1+(•sw) = 2}|.
  var continuationOnes: UInt32 = 0
  var continuationTwos: UInt32 = 0
}

/// Open-addressing hash table from a substring of the training text (as a 64-bit hash plus a
/// representative position, checked on lookup) to its `SubstringStats`.
struct NGramTable: Sendable {
  private var keys: [UInt64]
  /// Entry index + 1; 0 marks an empty slot.
  private var slots: [UInt32]
  private var positions: [UInt32] = []
  private var lengths: [UInt8] = []
  private var stats: [SubstringStats] = []
  private let mask: Int

  /// - Parameter expectedCount: number of entries to size for (load factor at most 0.7).
  init(expectedCount: Int) {
    var capacity = 16
    while Double(capacity) * 0.7 < Double(expectedCount) { capacity *= 2 }
    keys = [UInt64](repeating: 0, count: capacity)
    slots = [UInt32](repeating: 0, count: capacity)
    mask = capacity - 1
    positions.reserveCapacity(expectedCount)
    lengths.reserveCapacity(expectedCount)
    stats.reserveCapacity(expectedCount)
  }

  var count: Int { stats.count }

  /// Approximate heap bytes held by the table.
  var byteCount: Int {
    keys.capacity * 8 + slots.capacity * 4 + positions.capacity * 4 + lengths.capacity
      + stats.capacity * MemoryLayout<SubstringStats>.stride
  }

  /// Adds the substring `text[position..<position+length]`, whose `hash` is `key`.
  /// - Precondition: not already present (each substring is inserted once by the builder).
  mutating func insert(key: UInt64, position: Int, length: Int, stats entry: SubstringStats) {
    var slot = Int(truncatingIfNeeded: key) & mask
    while slots[slot] != 0 { slot = (slot + 1) & mask }
    keys[slot] = key
    positions.append(UInt32(position))
    lengths.append(UInt8(length))
    stats.append(entry)
    slots[slot] = UInt32(stats.count)
  }

  /// The stats of `query` (equal to a substring of `training` if found), or nil when the
  /// substring occurs fewer than twice in `training`.
  func lookup(
    key: UInt64, query: UnsafeBufferPointer<Int32>, range: Range<Int>, training: UnsafeBufferPointer<Int32>
  ) -> SubstringStats? {
    var slot = Int(truncatingIfNeeded: key) & mask
    while true {
      let entry = Int(slots[slot])
      if entry == 0 { return nil }
      if keys[slot] == key && Int(lengths[entry - 1]) == range.count {
        // The hash is 64 bits, but a collision would silently corrupt counts: check.
        let start = Int(positions[entry - 1])
        var same = true
        for (offset, q) in range.enumerated() where training[start + offset] != query[q] {
          same = false
          break
        }
        if same { return stats[entry - 1] }
      }
      slot = (slot + 1) & mask
    }
  }
}

/// Polynomial hash of symbol strings, extendable to the left in O(1):
/// H(x·s) = H(s) + (x + 1)·B^|s| (mod 2^64), mixed with the length for the table key.
enum SubstringHash {
  static let base: UInt64 = 0x9E37_79B9_7F4A_7C15 | 1

  /// B^0 … B^(count-1).
  static func powers(_ count: Int) -> [UInt64] {
    var result = [UInt64](repeating: 1, count: max(count, 1))
    for i in 1..<max(count, 1) { result[i] = result[i - 1] &* base }
    return result
  }

  /// Table key of a substring with polynomial hash `raw` and `length` symbols (splitmix64
  /// finaliser, so neighbouring strings spread over the table).
  @inline(__always)
  static func key(raw: UInt64, length: Int) -> UInt64 {
    var z = raw ^ (UInt64(length) &* 0xBF58_476D_1CE4_E5B9)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
