import Testing

@testable import NGramBaseline

/// The taxonomy on a constructed text whose every error's class is known by construction.
@Suite struct ErrorTaxonomyTests {
  // Training words: the ×20, cat/sat/on/mat ×10, a/zebra ×1; "the c" and "e cat" ×10.
  static let training = Array(
    (String(repeating: "the cat sat on the mat. ", count: 10) + "a zebra. ").unicodeScalars)
  // t0 h1 e2 _3 c4 a5 t6 ;7 _8 t9 h10 e11 _12 c13 a14 t15 _16 z17 e18 b19 r20 a21 ,22 _23
  // q24 x25 v26 w27 k28 _29 q30 x31 v32 w33 k34
  static let text = Array("the cat; the cat zebra, qxvwk qxvwk".unicodeScalars)

  /// The expected class of each LSTM error, and why.
  static let expected: [Int: ErrorClass] = [
    1: .ngram,  // orders 1 and 2 also err
    2: .other,  // order 1 gets it right, so not every order errs: 'e' inside "the"
    24: .ngram,  // a rare word's start, but both orders also err and n-gram comes first
    33: .dynamicMemory,  // " qxvw" ended at 27 and never occurs in training
    34: .dynamicMemory,  // "qxvwk" ended at 28
    17: .rareWord,  // z of "zebra" (once in training), although it starts a word
    18: .rareWord,
    25: .rareWord,  // "a, qx" is new, "qxvwk" never occurs in training
    30: .rareWord,  // "vwk q" is new
    13: .wordStart,  // "the c" repeats but occurs 10 times in training: not rare
    7: .punctuation,
    22: .punctuation,
    15: .other,  // "e cat" repeats but is common in training; "cat" is common
    16: .other,  // a space
  ]

  static func inputs() -> (lstm: [Double], ngram: [[Double]]) {
    var lstm = [Double](repeating: 0.9, count: text.count)
    for t in expected.keys { lstm[t] = 0.2 }
    lstm[5] = 0.5  // exactly at the threshold: not an error
    // Order 1 errs nearly everywhere, order 2 is right except where set below.
    var order1 = [Double](repeating: 0.1, count: text.count)
    var order2 = [Double](repeating: 0.9, count: text.count)
    order2[1] = 0.3
    order2[24] = 0.49  // just below the threshold: errs
    order1[2] = 0.6
    order2[2] = 0.3
    order2[5] = 0.2  // both err, but the LSTM does not: no error at all
    order2[0] = 0.2
    return (lstm, [order1, order2])
  }

  @Test func classifiesConstructedErrors() throws {
    let stats = TrainingStatistics(training: Self.training, substringLength: 5)
    let (lstm, ngram) = Self.inputs()
    let breakdown = try ErrorTaxonomy.classify(
      text: Self.text, lstmProbabilities: lstm, ngramProbabilities: ngram, training: stats)
    for t in Self.text.indices {
      #expect(breakdown.classes[t] == Self.expected[t], "position \(t) '\(Self.text[t])'")
    }
    // Of the 14 errors order 1 errs on all but position 2, order 2 on 1, 2 and 24.
    #expect(breakdown.ngramCountsByOrder == [13, 3])
    #expect(
      breakdown.counts == [
        .ngram: 2, .dynamicMemory: 2, .rareWord: 4, .wordStart: 1, .punctuation: 2, .other: 3,
      ])
    #expect(breakdown.errorCount == 14)
    #expect(breakdown.examples[.rareWord] == [17, 18, 25, 30])
    #expect(breakdown.examples[.dynamicMemory] == [33, 34])
  }

  @Test func memoryRarityThresholdDecides() throws {
    // With "rare" meaning fewer than 11 training occurrences, "e cat" (10) becomes dynamic
    // memory, and so does "the c" at 13.
    let stats = TrainingStatistics(training: Self.training, substringLength: 5)
    let (lstm, ngram) = Self.inputs()
    var settings = TaxonomySettings()
    settings.memoryRareBelow = 11
    let breakdown = try ErrorTaxonomy.classify(
      text: Self.text, lstmProbabilities: lstm, ngramProbabilities: ngram, training: stats, settings: settings
    )
    #expect(breakdown.classes[15] == .dynamicMemory)
    #expect(breakdown.classes[13] == .dynamicMemory)
    #expect(breakdown.classes[16] == .other)
  }

  @Test func withoutNgramModelsNothingIsNgram() throws {
    let stats = TrainingStatistics(training: Self.training, substringLength: 5)
    let (lstm, _) = Self.inputs()
    let breakdown = try ErrorTaxonomy.classify(
      text: Self.text, lstmProbabilities: lstm, ngramProbabilities: [], training: stats)
    #expect(breakdown.counts[.ngram] == 0)
    #expect(breakdown.classes[24] == .rareWord)
    #expect(breakdown.classes[1] == .other)  // 'h' inside the common word "the"
    #expect(breakdown.ngramCountsByOrder.isEmpty)
    #expect(breakdown.classes[2] == .other)
  }

  @Test func trainingCountsAreExact() {
    let stats = TrainingStatistics(training: Self.training, substringLength: 5)
    #expect(stats.wordCount("the") == 20)
    #expect(stats.wordCount("zebra") == 1)
    #expect(stats.wordCount("qxvwk") == 0)
    #expect(stats.substringCount(Array("the c".unicodeScalars)) == 10)
    #expect(stats.substringCount(Array(". ".unicodeScalars)) == 11)
    #expect(stats.substringCount(Array("q".unicodeScalars)) == 0)
  }

  @Test func mismatchedLengthsThrow() {
    let stats = TrainingStatistics(training: Self.training, substringLength: 5)
    #expect(throws: NGramError.lengthMismatch(what: "LSTM probability list", expected: 35, actual: 3)) {
      try ErrorTaxonomy.classify(
        text: Self.text, lstmProbabilities: [0, 0, 0], ngramProbabilities: [], training: stats)
    }
  }
}
