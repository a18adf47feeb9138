import Foundation
import Testing

@testable import NGramBaseline

/// Interpolated Kneser–Ney probabilities on "abracadabra" worked out by hand from the counts,
/// with D = 0.75 and a vocabulary of six symbols (a b c d r and an unseen e).
@Suite struct KneserNeyHandTests {
  // a=0 b=1 c=2 d=3 r=4 e=5 (never seen)
  static let a: Int32 = 0
  static let b: Int32 = 1
  static let c: Int32 = 2
  static let d: Int32 = 3
  static let r: Int32 = 4
  static let e: Int32 = 5
  static let text: [Int32] = [a, b, r, a, c, a, d, a, b, r, a]
  static let D = 0.75
  static let V = 6.0

  let model: KneserNeyModel

  init() throws {
    model = try KneserNeyModel(training: Self.text, vocabularySize: 6, order: 3, discounting: .fixed(0.75))
  }

  // Continuation unigram: predecessors a←{r,c,d} (3), b←{a}, c←{a}, d←{a}, r←{b} (1 each);
  // N1+(••) = 7 distinct bigrams; 5 symbols with a predecessor.
  static func continuationUnigram(_ n1: Double) -> Double {
    max(n1 - D, 0) / 7 + D * 5 / 7 / V
  }

  @Test func rawUnigramAtOrderOne() throws {
    // Raw counts a5 b2 r2 c1 d1 over 11 symbols, 5 types seen.
    let backoff = Self.D * 5 / 11 / Self.V
    #expect(abs(try model.probability(of: Self.a, after: [], order: 1) - (4.25 / 11 + backoff)) < 1e-12)
    #expect(abs(try model.probability(of: Self.c, after: [], order: 1) - (0.25 / 11 + backoff)) < 1e-12)
    #expect(abs(try model.probability(of: Self.e, after: [], order: 1) - backoff) < 1e-12)
    // Position 0 of a scored text is predicted by this raw unigram.
    let loss = try model.logLoss(of: [Self.a])
    #expect(abs(loss[0] + log(4.25 / 11 + backoff)) < 1e-12)
  }

  @Test func bigramAfterA() throws {
    // After "a": ab ×2, ac ×1, ad ×1 (the last a ends the text): c(a•) = 4, 3 types.
    let expectedB = (2 - Self.D) / 4 + Self.D * 3 / 4 * Self.continuationUnigram(1)
    let expectedA = Self.D * 3 / 4 * Self.continuationUnigram(3)
    let expectedE = Self.D * 3 / 4 * Self.continuationUnigram(0)
    #expect(abs(try model.probability(of: Self.b, after: [Self.a], order: 2) - expectedB) < 1e-12)
    #expect(abs(try model.probability(of: Self.a, after: [Self.a], order: 2) - expectedA) < 1e-12)
    #expect(abs(try model.probability(of: Self.e, after: [Self.a], order: 2) - expectedE) < 1e-12)
    // A one-symbol history under the order-3 model is the order-2 model.
    #expect(abs(try model.probability(of: Self.b, after: [Self.a]) - expectedB) < 1e-12)
  }

  @Test func trigramAfterAB() throws {
    // c(ab•) = 2 (abr twice), 1 type. Level 2, context "b": N1+(•br) = 1 ({a}),
    // N1+(•b•) = 1 (the pair a_r), 1 type.
    let lowerR = (1 - Self.D) / 1 + Self.D * 1 / 1 * Self.continuationUnigram(1)
    let expectedR = (2 - Self.D) / 2 + Self.D * 1 / 2 * lowerR
    let lowerA = Self.D * 1 / 1 * Self.continuationUnigram(3)
    let expectedA = Self.D * 1 / 2 * lowerA
    #expect(abs(try model.probability(of: Self.r, after: [Self.a, Self.b]) - expectedR) < 1e-12)
    #expect(abs(try model.probability(of: Self.a, after: [Self.a, Self.b]) - expectedA) < 1e-12)
    // Only the last two symbols of a longer history count.
    #expect(abs(try model.probability(of: Self.r, after: [Self.d, Self.a, Self.b]) - expectedR) < 1e-12)
  }

  @Test func trigramAfterRA() throws {
    // "ra" occurs twice but once at the end: c(ra•) = 1 (rac), 1 type.
    // Level 2, context "a": N1+(•ab) = |{d}| = 1 (the ab at 0 has no predecessor),
    // N1+(•ac) = |{r}| = 1, N1+(•ad) = |{c}| = 1: sum 3, 3 types.
    let lowerC = (1 - Self.D) / 3 + Self.D * 3 / 3 * Self.continuationUnigram(1)
    let expectedC = (1 - Self.D) / 1 + Self.D * 1 / 1 * lowerC
    let lowerB = (1 - Self.D) / 3 + Self.D * 3 / 3 * Self.continuationUnigram(1)
    let expectedB = Self.D * 1 / 1 * lowerB
    #expect(abs(try model.probability(of: Self.c, after: [Self.r, Self.a]) - expectedC) < 1e-12)
    #expect(abs(try model.probability(of: Self.b, after: [Self.r, Self.a]) - expectedB) < 1e-12)
  }

  @Test func unseenContextBacksOffCompletely() throws {
    // "rr" never occurs: level 3 is skipped. Level 2, context "r": both r are b_a, so
    // N1+(•ra) = 1, N1+(•r•) = 1, 1 type.
    let expectedA = (1 - Self.D) / 1 + Self.D * Self.continuationUnigram(3)
    #expect(abs(try model.probability(of: Self.a, after: [Self.r, Self.r]) - expectedA) < 1e-12)
    // "e" never occurs at all: only the continuation unigram is left.
    let expectedB = Self.continuationUnigram(1)
    #expect(abs(try model.probability(of: Self.b, after: [Self.e, Self.e]) - expectedB) < 1e-12)
  }

  @Test func streamingScorerMatchesPointQueries() throws {
    let sample: [Int32] = [Self.r, Self.a, Self.b, Self.r, Self.e, Self.a, Self.c]
    let loss = try model.logLoss(of: sample)
    #expect(loss.count == sample.count)
    for t in sample.indices {
      let p = try model.probability(of: sample[t], after: Array(sample[..<t]))
      #expect(abs(loss[t] + log(p)) < 1e-12)
    }
  }
}
