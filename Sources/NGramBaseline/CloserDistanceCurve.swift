/// The paper's "what memory buys" figure: the mean loss of two models on closing brackets,
/// braces and quotes, binned by the distance back to the matching opener.
///
/// Matching: `(` `[` `{` `“` each keep their own stack and a closer `)` `]` `}` `”` pops
/// the latest opener of its kind (a closer with none open is unmatched and skipped). A
/// straight quote `"` closes the pending straight quote if there is one, else opens one.
/// Distance = closer position − opener position (≥ 1, in characters).
public struct CloserDistanceCurve: Sendable, Equatable {
  /// One distance bin: distances in `distances` (the last bin is open-ended: upper bound
  /// `Int.max`).
  public struct Bin: Sendable, Equatable {
    public var distances: Range<Int>
    public var count: Int
    /// Mean loss of each model on the closers of the bin (nats if the losses are), nil
    /// when the bin is empty.
    public var meanLossA: Double?
    public var meanLossB: Double?
  }

  public var bins: [Bin]
  /// Closers with no opener before them.
  public var unmatchedClosers: Int

  /// Default bin edges: powers of two, 1 2 4 … 1024 and beyond.
  public static let defaultEdges = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

  static let openerOf: [Unicode.Scalar: Unicode.Scalar] = [")": "(", "]": "[", "}": "{", "”": "“"]

  /// - Parameters:
  ///   - text: the analysed characters.
  ///   - lossA, lossB: per-position losses of the two models (e.g. LSTM and n-gram), each
  ///     `text.count` long.
  ///   - edges: ascending lower bounds of the bins, the first ≥ 1.
  /// - Throws: `NGramError.lengthMismatch` when a loss list's length differs from the text's.
  public init(
    text: [Unicode.Scalar], lossA: [Double], lossB: [Double], edges: [Int] = CloserDistanceCurve.defaultEdges
  ) throws(NGramError) {
    guard lossA.count == text.count else {
      throw .lengthMismatch(what: "first loss list", expected: text.count, actual: lossA.count)
    }
    guard lossB.count == text.count else {
      throw .lengthMismatch(what: "second loss list", expected: text.count, actual: lossB.count)
    }
    var open: [Unicode.Scalar: [Int]] = [:]
    var pendingQuote: Int? = nil
    var sums = [(count: Int, a: Double, b: Double)](repeating: (0, 0, 0), count: edges.count)
    var unmatched = 0
    for (t, scalar) in text.enumerated() {
      var opener: Int? = nil
      if scalar == "\"" {
        if let q = pendingQuote {
          opener = q
          pendingQuote = nil
        } else {
          pendingQuote = t
          continue
        }
      } else if let kind = Self.openerOf[scalar] {
        guard let last = open[kind]?.popLast() else {
          unmatched += 1
          continue
        }
        opener = last
      } else if Self.openerOf.values.contains(scalar) {
        open[scalar, default: []].append(t)
        continue
      }
      guard let opener else { continue }
      let distance = t - opener
      // The last edge ≤ distance names the bin; distances below the first edge are dropped.
      guard let bin = edges.lastIndex(where: { $0 <= distance }) else { continue }
      sums[bin].count += 1
      sums[bin].a += lossA[t]
      sums[bin].b += lossB[t]
    }
    bins = edges.indices.map { i in
      let upper = i + 1 < edges.count ? edges[i + 1] : Int.max
      let s = sums[i]
      return Bin(
        distances: edges[i]..<upper, count: s.count,
        meanLossA: s.count > 0 ? s.a / Double(s.count) : nil,
        meanLossB: s.count > 0 ? s.b / Double(s.count) : nil)
    }
    unmatchedClosers = unmatched
  }
}
