/// The kinds of LSTM error in the error analysis of Karpathy, Johnson & Fei-Fei (2015), in
/// the order they are peeled off: each error goes to the FIRST class that matches.
///
/// An error is a position whose true character gets LSTM probability below
/// `TaxonomySettings.errorThreshold` (0.5). The classes:
/// - `ngram`: the n-gram models of every order 1…K given (K = 9 by default) ALSO give the
///   true character probability below `ngramThreshold` (0.5): no model that sees only the
///   last few characters gets it right either, so the error is not one of memory. This is the
///   issue's definition ("an n-gram model of order 1..n also errs"); the paper's oracle reads
///   the other way round (errors some n-gram model gets right). With no n-gram models given,
///   no error is `ngram`. By order: `ErrorBreakdown.ngramCountsByOrder`.
/// - `dynamicMemory`: the `memoryLength` characters ending with this one (5 by default: the
///   character and the 4 before it) occurred earlier in the analysed text (ending before
///   this position; overlaps allowed) and fewer than `memoryRareBelow` (5) times in the
///   training text: the model could have copied it from what it read, not from training.
/// - `rareWord`: the character is inside a word (a maximal run of letters and digits) that
///   occurs as a whole word fewer than `rareWordBelow` (5) times in the training text.
/// - `wordStart`: the character is the first letter or digit of a word.
/// - `punctuation`: the character is Unicode punctuation or a symbol (not whitespace).
/// - `other`: everything else (the paper's "boost" remainder), whitespace included.
public enum ErrorClass: String, CaseIterable, Sendable, Codable {
  case ngram, dynamicMemory, rareWord, wordStart, punctuation, other
}

/// Thresholds of the taxonomy; the defaults are the ones stated on `ErrorClass`.
public struct TaxonomySettings: Sendable, Equatable {
  public var errorThreshold = 0.5
  public var ngramThreshold = 0.5
  /// Length of the substring (ending with the character) the dynamic-memory class matches.
  public var memoryLength = 5
  public var memoryRareBelow = 5
  public var rareWordBelow = 5
  /// Example positions kept per class, spread evenly over the class's positions.
  public var examplesPerClass = 5

  public init() {}
}

/// The taxonomy of one analysed text.
public struct ErrorBreakdown: Sendable, Equatable {
  /// Per position: the class of the LSTM's error there, or nil where it is no error.
  public var classes: [ErrorClass?]
  /// Number of errors in each class (every class present, zero included).
  public var counts: [ErrorClass: Int]
  /// `ngramCountsByOrder[m − 1]`: LSTM errors (of every class) on which the order-m model
  /// also errs; the `ngram` class holds those on which every order errs.
  public var ngramCountsByOrder: [Int]
  /// Up to `examplesPerClass` positions per class, ascending.
  public var examples: [ErrorClass: [Int]]

  public var errorCount: Int { counts.values.reduce(0, +) }
}

public enum ErrorTaxonomy {
  /// Classifies every LSTM error in `text`.
  /// - Parameters:
  ///   - text: the analysed characters, one per position.
  ///   - lstmProbabilities: the LSTM's probability of `text[t]`, per position.
  ///   - ngramProbabilities: `[m − 1][t]`: the order-m n-gram model's probability of
  ///     `text[t]` (e.g. `KneserNeyModel.probabilitiesByOrder(of:orders: 1...9)`); may be
  ///     empty (then no error is `ngram`).
  ///   - training: statistics of the training text; its `substringLength` must be at least
  ///     `settings.memoryLength`.
  /// - Throws: `NGramError.lengthMismatch` when an array's length differs from the text's.
  public static func classify(
    text: [Unicode.Scalar], lstmProbabilities: [Double], ngramProbabilities: [[Double]],
    training: TrainingStatistics, settings: TaxonomySettings = TaxonomySettings()
  ) throws(NGramError) -> ErrorBreakdown {
    guard lstmProbabilities.count == text.count else {
      throw .lengthMismatch(
        what: "LSTM probability list", expected: text.count, actual: lstmProbabilities.count)
    }
    for row in ngramProbabilities where row.count != text.count {
      throw .lengthMismatch(what: "n-gram probability list", expected: text.count, actual: row.count)
    }
    let memoryLength = max(1, min(settings.memoryLength, training.substringLength))
    var wordAt = [Range<Int>?](repeating: nil, count: text.count)
    for word in CharacterKinds.words(in: text) {
      for t in word { wordAt[t] = word }
    }
    var classes = [ErrorClass?](repeating: nil, count: text.count)
    var byOrder = [Int](repeating: 0, count: ngramProbabilities.count)
    var seen = Set<[Unicode.Scalar]>()
    var wordCountCache: [Range<Int>: Int] = [:]
    for t in text.indices {
      let memory = t + 1 >= memoryLength ? Array(text[(t + 1 - memoryLength)...t]) : nil
      defer { if let memory { seen.insert(memory) } }
      guard lstmProbabilities[t] < settings.errorThreshold else { continue }
      var ngramErrs = 0
      for (m, row) in ngramProbabilities.enumerated() where row[t] < settings.ngramThreshold {
        byOrder[m] += 1
        ngramErrs += 1
      }
      if !ngramProbabilities.isEmpty && ngramErrs == ngramProbabilities.count {
        classes[t] = .ngram
      } else if let memory, seen.contains(memory),
        training.substringCount(memory) < settings.memoryRareBelow
      {
        classes[t] = .dynamicMemory
      } else if let word = wordAt[t], isRare(word, text, training, settings, &wordCountCache) {
        classes[t] = .rareWord
      } else if let word = wordAt[t], word.lowerBound == t {
        classes[t] = .wordStart
      } else if CharacterKinds.isPunctuation(text[t]) {
        classes[t] = .punctuation
      } else {
        classes[t] = .other
      }
    }
    return summarise(classes, byOrder: byOrder, settings: settings)
  }

  private static func isRare(
    _ word: Range<Int>, _ text: [Unicode.Scalar], _ training: TrainingStatistics,
    _ settings: TaxonomySettings,
    _ cache: inout [Range<Int>: Int]
  ) -> Bool {
    if cache[word] == nil {
      cache[word] = training.wordCount(String(String.UnicodeScalarView(text[word])))
    }
    return cache[word]! < settings.rareWordBelow
  }

  private static func summarise(
    _ classes: [ErrorClass?], byOrder: [Int], settings: TaxonomySettings
  ) -> ErrorBreakdown {
    var positions: [ErrorClass: [Int]] = [:]
    for kind in ErrorClass.allCases { positions[kind] = [] }
    for (t, kind) in classes.enumerated() {
      if let kind { positions[kind]!.append(t) }
    }
    var counts: [ErrorClass: Int] = [:]
    var examples: [ErrorClass: [Int]] = [:]
    for (kind, list) in positions {
      counts[kind] = list.count
      let k = min(settings.examplesPerClass, list.count)
      // Evenly spread, so the examples are not all from the start of the text.
      examples[kind] = (0..<k).map { list[$0 * list.count / k] }
    }
    return ErrorBreakdown(
      classes: classes, counts: counts, ngramCountsByOrder: byOrder, examples: examples)
  }
}

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
