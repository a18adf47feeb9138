// Features of an analysed text that was cut from a larger file.
//
// `run` and `--held-out` analyse the held-out split: one piece of the file per training stream, the
// pieces joined. A feature computed on the joined text is wrong after a join: a piece that starts
// inside a quotation inverts the quote parity for the rest of the text, a bracket depth carries over.
// Computed on the file and read at each analysed character's place in it, every value is the value of
// the text as written. (The model still reads the joined pieces; at a join it carries the state of the
// piece before, and the report says so.)

/// Where each character of an analysed text lies in the file it was cut from.
public struct FeatureSourceMap: Sendable {
  /// The whole file, as the features read it.
  public let source: [Unicode.Scalar]
  /// position p of the analysed text → its index in `source`; strictly increasing.
  public let positions: [Int]

  /// - Parameters:
  ///   - source: the file's characters.
  ///   - pieces: the ranges of `source` the analysed text is made of, in order (ascending, disjoint).
  ///   - count: the analysed text's length: the first `count` characters of the pieces.
  /// - Returns: nil when the pieces do not fit `source` or hold fewer than `count` characters.
  public init?(source: [Unicode.Scalar], pieces: [Range<Int>], count: Int) {
    var positions: [Int] = []
    positions.reserveCapacity(count)
    var last = -1
    for piece in pieces where positions.count < count {
      guard piece.lowerBound > last, piece.upperBound <= source.count else { return nil }
      positions += piece.prefix(count - positions.count)
      last = piece.upperBound - 1
    }
    guard positions.count == count else { return nil }
    self.source = source
    self.positions = positions
  }

  /// The analysed positions where one piece ends and the next (not adjacent in the file) begins.
  public var joins: [Int] {
    positions.indices.dropFirst().filter { positions[$0] != positions[$0 - 1] + 1 }
  }
}

extension TextFeature {
  /// The same feature computed on `map.source` and read at `map.positions`: a scanner of the result,
  /// called at analysed position p, returns this feature's value at `map.positions[p]` of the file.
  public func reading(_ map: FeatureSourceMap) -> TextFeature {
    let make = makeScanner
    return TextFeature(id: id, name: name, kind: kind, definition: definition) {
      SourceMappedScanner(inner: make(), map: map)
    }
  }
}

/// Feeds every character of the file up to the asked position to the inner scanner (features keep
/// state across the characters the analysis skips, such as a training part between two pieces).
struct SourceMappedScanner: FeatureScanner {
  var inner: any FeatureScanner
  let map: FeatureSourceMap
  private var next = 0
  private var last: Float = 0

  init(inner: any FeatureScanner, map: FeatureSourceMap) {
    self.inner = inner
    self.map = map
  }

  mutating func value(at p: Int, in _: [Unicode.Scalar]) -> Float {
    let q = map.positions[p]
    precondition(q >= next - 1, "positions are asked in increasing order")
    while next <= q {
      last = inner.value(at: next, in: map.source)
      next += 1
    }
    return last
  }
}
