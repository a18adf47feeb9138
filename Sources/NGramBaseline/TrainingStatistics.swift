/// What the error taxonomy needs to know about the training text: how often each word
/// occurs and how often a short substring occurs.
///
/// Words are maximal runs of letters and decimal digits (`CharacterKinds.isWordScalar`),
/// compared exactly (case-sensitive). Substring counts use a suffix array sorted to
/// `substringLength` symbols (5 bytes per training character).
public struct TrainingStatistics: Sendable {
  /// The longest substring `substringCount(_:)` can count.
  public let substringLength: Int
  public let wordCounts: [String: Int]
  private let symbolOf: [Unicode.Scalar: Int32]
  private let index: SuffixIndex

  /// - Parameters:
  ///   - training: the text the models were trained on (may be empty: every count is then 0).
  ///   - substringLength: the longest substring to count, 1…255 (the taxonomy's memory length).
  public init(training: [Unicode.Scalar], substringLength: Int) {
    self.substringLength = max(1, min(substringLength, 255))
    var symbolOf: [Unicode.Scalar: Int32] = [:]
    for scalar in training where symbolOf[scalar] == nil {
      symbolOf[scalar] = Int32(symbolOf.count)
    }
    self.symbolOf = symbolOf
    let symbols = training.map { symbolOf[$0]! }
    index = SuffixIndex(text: symbols, vocabularySize: max(symbolOf.count, 1), depth: self.substringLength)
    var words: [String: Int] = [:]
    for word in CharacterKinds.words(in: training) {
      words[String(String.UnicodeScalarView(training[word])), default: 0] += 1
    }
    wordCounts = words
  }

  /// Occurrences of `substring` in the training text (overlapping ones included).
  /// - Precondition: `substring.count ≤ substringLength`.
  public func substringCount(_ substring: some Collection<Unicode.Scalar>) -> Int {
    precondition(substring.count <= substringLength, "substring longer than the index depth")
    var symbols: [Int32] = []
    symbols.reserveCapacity(substring.count)
    for scalar in substring {
      guard let symbol = symbolOf[scalar] else { return 0 }
      symbols.append(symbol)
    }
    return symbols.withUnsafeBufferPointer { index.range(of: $0[...]).count }
  }

  /// Occurrences of `word` as a whole word in the training text.
  public func wordCount(_ word: String) -> Int { wordCounts[word] ?? 0 }
}

/// The character kinds the taxonomy and the bracket curve rely on.
public enum CharacterKinds {
  /// Letters and decimal digits: the scalars words are made of.
  public static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.isAlphabetic || scalar.properties.generalCategory == .decimalNumber
  }

  /// Unicode punctuation (P*) and symbols (S*); whitespace and control characters are not.
  public static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
      .initialPunctuation, .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol,
      .modifierSymbol, .otherSymbol:
      return true
    default:
      return false
    }
  }

  /// The index ranges of the words (maximal runs of word scalars) of `text`, in order.
  public static func words(in text: [Unicode.Scalar]) -> [Range<Int>] {
    var result: [Range<Int>] = []
    var start: Int? = nil
    for (i, scalar) in text.enumerated() {
      if isWordScalar(scalar) {
        if start == nil { start = i }
      } else if let s = start {
        result.append(s..<i)
        start = nil
      }
    }
    if let s = start { result.append(s..<text.count) }
    return result
  }
}
