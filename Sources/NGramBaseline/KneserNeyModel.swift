import Foundation

/// A character n-gram model with interpolated Kneser–Ney smoothing (Chen & Goodman 1998),
/// over symbols `0..<vocabularySize` (the LSTM's vocabulary indices).
///
/// For a model of order m and a history whose last m−1 symbols are h, with levels
/// k = 1…m using the last k−1 symbols h_k as context:
///
///     P_0(w) = 1 / V
///     P_k(w) = max(a_k(w) − D_k(a_k(w)), 0) / S + (Σ_v D_k(a_k(v))) / S · P_{k−1}(w)
///     with S = Σ_v a_k(v); P_k = P_{k−1} when S = 0 (the context never occurs)
///
/// where a_k(w) is the raw count c(h_k w) at the top level k = m and the continuation count
/// N1+(• h_k w) (distinct symbols seen before h_k w) at the levels below, and D_k(0) = 0.
/// Discounting (`Discounting`): `.modified` (the default, modified KN) uses D_k(1), D_k(2),
/// D_k(3+) estimated per level and per kind of count from count-of-counts n_1…n_4 of the
/// k-grams: Y = n1 / (n1 + 2 n2), D(j) = j − (j + 1) Y n_{j+1} / n_j; a level whose estimate
/// is degenerate (some n_j = 0 or a D(j) outside (0, j]) falls back to 0.75 for all three.
/// `.fixed(D)` uses one D for every count and level. Every symbol thus gets probability > 0
/// and each distribution sums to 1.
///
/// At the start of a text, where fewer than m−1 symbols of history exist, the prediction is
/// the model of order (history length + 1): position 0 is predicted by the raw unigram.
///
/// Storage: a suffix array of the training text sorted to depth m (5 bytes per symbol) and a
/// hash table of the substrings of length ≤ m that occur at least twice; substrings that
/// occur once are found through the suffix array. Models of every order 1…m are available
/// from one trained model (`probabilitiesByOrder`).
public struct KneserNeyModel: Sendable {
  /// The largest supported order (the paper's 20-gram).
  public static let maximumOrder = 20
  /// The order with the lowest held-out bits per character on War and Peace (last 5%,
  /// modified KN: 1.799 at 8; 1.803–1.807 at 7, 9, 10, 12, 15, 20; see NOTES-ngram.md).
  public static let defaultOrder = 8

  public let order: Int
  public let vocabularySize: Int
  public let discounting: Discounting
  /// rawDiscounts[k − 1]: D(1), D(2), D(3+) for raw counts at level k.
  public let rawDiscounts: [[Double]]
  /// The same for continuation counts.
  public let continuationDiscounts: [[Double]]
  private let index: SuffixIndex
  private let table: NGramTable
  /// Stats of the empty context (the unigram level).
  private let emptyContext: SubstringStats
  private let powers: [UInt64]

  /// Trains on `training`.
  /// - Parameters:
  ///   - training: symbols, each in `0..<vocabularySize`; at least one.
  ///   - order: 1…20.
  ///   - discounting: modified KN (default) or one fixed discount in (0, 1].
  /// - Throws: `NGramError` for an empty text, a bad order, discount or symbol.
  public init(training: [Int32], vocabularySize: Int, order: Int, discounting: Discounting = .modified)
    throws(NGramError)
  {
    guard !training.isEmpty else { throw .emptyTraining }
    guard (1...Self.maximumOrder).contains(order) else { throw .orderOutOfRange(order) }
    if case .fixed(let d) = discounting, !(d > 0 && d <= 1) { throw .discountOutOfRange(d) }
    guard vocabularySize >= 1 else { throw .vocabularyTooSmall(vocabularySize) }
    try Self.validate(training, vocabularySize: vocabularySize)
    self.order = order
    self.vocabularySize = vocabularySize
    self.discounting = discounting
    let index = SuffixIndex(text: training, vocabularySize: vocabularySize, depth: order)
    self.index = index
    powers = SubstringHash.powers(order + 1)
    var builder = TableBuilder(index: index, vocabularySize: vocabularySize, powers: powers)
    (table, emptyContext) = builder.build()
    switch discounting {
    case .fixed(let d):
      rawDiscounts = Array(repeating: [d, d, d], count: order)
      continuationDiscounts = rawDiscounts
    case .modified:
      rawDiscounts = builder.rawCountOfCounts.map(Self.estimateDiscounts)
      continuationDiscounts = builder.continuationCountOfCounts.map(Self.estimateDiscounts)
    }
  }

  /// Approximate heap bytes of the trained model (text, suffix array, table).
  public var byteCount: Int {
    index.text.capacity * 4 + index.order.capacity * 4 + index.lcp.capacity + table.byteCount
  }

  /// Number of substrings stored in the hash table (those occurring at least twice).
  public var storedSubstringCount: Int { table.count }

  /// P(symbol | context) under the model of order `order` (default: the trained order),
  /// using the last `order − 1` symbols of `context` (fewer if the context is shorter).
  /// - Throws: `NGramError` for a symbol outside the vocabulary or an order outside
  ///   1…`self.order`.
  public func probability(of symbol: Int32, after context: [Int32], order: Int? = nil) throws(NGramError)
    -> Double
  {
    let m = order ?? self.order
    guard (1...self.order).contains(m) else { throw .orderOutOfRange(m) }
    let sequence = Array(context.suffix(m - 1)) + [symbol]
    try Self.validate(sequence, vocabularySize: vocabularySize)
    return sequence.withUnsafeBufferPointer { q in
      var chain = Chain(levels: m)
      fill(&chain, query: q, at: q.count - 1)
      return chain.probability(
        order: m, raw: rawDiscounts, continuation: continuationDiscounts, vocabularySize: vocabularySize)
    }
  }

  /// The whole next-symbol distribution after `context`: `vocabularySize` probabilities,
  /// each > 0, summing to 1 (up to rounding).
  public func distribution(after context: [Int32]) throws(NGramError) -> [Double] {
    var result = [Double](repeating: 0, count: vocabularySize)
    for symbol in 0..<vocabularySize {
      result[symbol] = try probability(of: Int32(symbol), after: context)
    }
    return result
  }

  /// −ln P of each symbol of `text` given the symbols before it in `text` (nats; one per
  /// position, position 0 predicted from the empty context).
  public func logLoss(of text: [Int32]) throws(NGramError) -> [Double] {
    try probabilitiesByOrder(of: text, orders: order...order)[0].map { -log($0) }
  }

  /// P of each symbol of `text` given the symbols before it, under the models of each order
  /// in `orders`: `result[i][t]` is the probability from order `orders.lowerBound + i` at
  /// position `t`. All orders come from one pass.
  /// - Throws: `NGramError` for symbols outside the vocabulary or orders outside 1…`order`.
  public func probabilitiesByOrder(of text: [Int32], orders: ClosedRange<Int>) throws(NGramError)
    -> [[Double]]
  {
    guard orders.lowerBound >= 1 else { throw .orderOutOfRange(orders.lowerBound) }
    guard orders.upperBound <= order else { throw .orderOutOfRange(orders.upperBound) }
    try Self.validate(text, vocabularySize: vocabularySize)
    var result = [[Double]](repeating: [Double](repeating: 0, count: text.count), count: orders.count)
    text.withUnsafeBufferPointer { q in
      var chain = Chain(levels: orders.upperBound)
      for t in 0..<q.count {
        fill(&chain, query: q, at: t)
        for m in orders {
          result[m - orders.lowerBound][t] = chain.probability(
            order: m, raw: rawDiscounts, continuation: continuationDiscounts, vocabularySize: vocabularySize)
        }
      }
    }
    return result
  }

  /// Chen & Goodman's estimates from count-of-counts n1…n4, or 0.75 when degenerate.
  static func estimateDiscounts(_ n: [Int]) -> [Double] {
    guard n.allSatisfy({ $0 > 0 }) else { return [0.75, 0.75, 0.75] }
    let y = Double(n[0]) / Double(n[0] + 2 * n[1])
    let d = (1...3).map { j in Double(j) - Double(j + 1) * y * Double(n[j]) / Double(n[j - 1]) }
    guard (0..<3).allSatisfy({ d[$0] > 0 && d[$0] <= Double($0 + 1) }) else { return [0.75, 0.75, 0.75] }
    return d
  }

  private static func validate(_ symbols: [Int32], vocabularySize: Int) throws(NGramError) {
    for (position, symbol) in symbols.enumerated() where symbol < 0 || Int(symbol) >= vocabularySize {
      throw .symbolOutOfVocabulary(symbol: symbol, position: position, vocabularySize: vocabularySize)
    }
  }

  /// Fills `chain` with the stats of the contexts `query[t−k+1..<t]` and strings
  /// `query[t−k+1...t]` for levels k = 1…min(chain.levels, t+1).
  private func fill(_ chain: inout Chain, query q: UnsafeBufferPointer<Int32>, at t: Int) {
    index.text.withUnsafeBufferPointer { train in
      let levels = min(chain.levels, t + 1)
      chain.available = levels
      chain.contexts[0] = emptyContext
      var contextState = Presence.frequent
      var stringState = Presence.frequent
      var contextHash: UInt64 = 0
      var stringHash = UInt64(q[t]) &+ 1
      for k in 1...levels {
        let start = t - k + 1
        if k >= 2 {
          // The context grows by q[start] on the left; its length is k − 1.
          contextHash = contextHash &+ (UInt64(q[start]) &+ 1) &* powers[k - 2]
          stringHash = stringHash &+ (UInt64(q[start]) &+ 1) &* powers[k - 1]
          chain.contexts[k - 1] = stats(
            &contextState, hash: contextHash, query: q, range: start..<t, train: train)
        }
        chain.strings[k - 1] = stats(
          &stringState, hash: stringHash, query: q, range: start..<(t + 1), train: train)
      }
    }
  }

  /// Stats of `query[range]`, which extends by one symbol on the left the string whose
  /// presence is `state` (updated).
  private func stats(
    _ state: inout Presence, hash: UInt64, query: UnsafeBufferPointer<Int32>, range: Range<Int>,
    train: UnsafeBufferPointer<Int32>
  ) -> SubstringStats {
    switch state {
    case .absent:
      return SubstringStats()
    case .single(let position):
      // Only one occurrence of the shorter string: the longer one occurs iff it extends it.
      if position > 0 && train[position - 1] == query[range.lowerBound] {
        state = .single(position - 1)
        return singleton(at: position - 1, length: range.count)
      }
      state = .absent
      return SubstringStats()
    case .frequent:
      if let found = table.lookup(
        key: SubstringHash.key(raw: hash, length: range.count), query: query, range: range, training: train)
      {
        return found
      }
      let matches = index.range(of: query[range])
      if matches.count == 1 {
        let position = Int(index.order[matches.lowerBound])
        state = .single(position)
        return singleton(at: position, length: range.count)
      }
      state = .absent
      return SubstringStats()
    }
  }

  private func singleton(at position: Int, length: Int) -> SubstringStats {
    let hasBefore: UInt32 = position > 0 ? 1 : 0
    let hasAfter: UInt32 = position + length < index.text.count ? 1 : 0
    return SubstringStats(
      count: 1, continuation: hasBefore, followSum: hasAfter, followTypes: hasAfter,
      continuationSum: hasBefore & hasAfter, continuationTypes: hasBefore & hasAfter,
      followOnes: hasAfter, followTwos: 0, continuationOnes: hasBefore & hasAfter, continuationTwos: 0)
  }
}

/// How often the string looked up at the previous level occurs in the training text.
private enum Presence {
  case frequent
  case single(Int)
  case absent
}

/// The stats of one position's contexts and strings at levels 1…levels.
private struct Chain {
  let levels: Int
  var available = 0
  /// contexts[k−1]: stats of the context of length k − 1.
  var contexts: [SubstringStats]
  /// strings[k−1]: stats of the context of length k − 1 followed by the predicted symbol.
  var strings: [SubstringStats]

  init(levels: Int) {
    self.levels = levels
    contexts = Array(repeating: SubstringStats(), count: levels)
    strings = Array(repeating: SubstringStats(), count: levels)
  }

  /// The interpolated KN probability of the model of order `order` (raw counts at its top
  /// level, continuation counts below), truncated to the available history.
  func probability(order: Int, raw: [[Double]], continuation: [[Double]], vocabularySize: Int) -> Double {
    let top = min(order, available)
    var p = 1 / Double(vocabularySize)
    for k in 1...top {
      let context = contexts[k - 1]
      let string = strings[k - 1]
      let a: UInt32
      let total: UInt32
      let counts: (types: UInt32, ones: UInt32, twos: UInt32)
      let d: [Double]
      if k == top {
        (a, total, d) = (string.count, context.followSum, raw[k - 1])
        counts = (context.followTypes, context.followOnes, context.followTwos)
      } else {
        (a, total, d) = (string.continuation, context.continuationSum, continuation[k - 1])
        counts = (context.continuationTypes, context.continuationOnes, context.continuationTwos)
      }
      if total == 0 { continue }
      let s = Double(total)
      let own = a == 0 ? 0 : Double(a) - d[min(Int(a), 3) - 1]
      let threes = counts.types - counts.ones - counts.twos
      let backoff = d[0] * Double(counts.ones) + d[1] * Double(counts.twos) + d[2] * Double(threes)
      p = max(own, 0) / s + backoff / s * p
    }
    return p
  }
}

/// How a `KneserNeyModel` discounts counts.
public enum Discounting: Sendable, Equatable {
  /// Modified Kneser–Ney: D(1), D(2), D(3+) per level, estimated from count-of-counts.
  case modified
  /// One absolute discount in (0, 1] for every count and level (interpolated KN).
  case fixed(Double)
}

/// Bad input to the n-gram baseline, each with one sentence a user can act on.
public enum NGramError: Error, Equatable, CustomStringConvertible {
  case emptyTraining
  case orderOutOfRange(Int)
  case discountOutOfRange(Double)
  case vocabularyTooSmall(Int)
  case symbolOutOfVocabulary(symbol: Int32, position: Int, vocabularySize: Int)
  case lengthMismatch(what: String, expected: Int, actual: Int)

  public var description: String {
    switch self {
    case .emptyTraining:
      return "The n-gram model needs at least one training character, but the training text is empty."
    case .orderOutOfRange(let order):
      return "The n-gram order must be between 1 and \(KneserNeyModel.maximumOrder), not \(order)."
    case .discountOutOfRange(let discount):
      return "The Kneser-Ney discount must be in (0, 1], not \(discount)."
    case .vocabularyTooSmall(let size):
      return "The vocabulary must hold at least one symbol, not \(size)."
    case .symbolOutOfVocabulary(let symbol, let position, let size):
      return "Symbol \(symbol) at position \(position) is outside the vocabulary 0..<\(size)."
    case .lengthMismatch(let what, let expected, let actual):
      return "The \(what) has \(actual) entries but the text has \(expected) characters."
    }
  }
}
