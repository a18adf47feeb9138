import Foundation
import Testing

@testable import NGramBaseline

/// Opt-in figures for NOTES-ngram.md: `CELLSCOPE_MEASURE=1` (orders in
/// `CELLSCOPE_MEASURE_ORDERS`, comma-separated; default 5,10,20). Trains on the first 95% of
/// War and Peace and scores the last 5%. Peak memory comes from `/usr/bin/time -v` around
/// the test process, one order per run.
@Suite struct WarAndPeaceMeasurement {
  static let enabled = ProcessInfo.processInfo.environment["CELLSCOPE_MEASURE"] == "1"

  @Test(.enabled(if: enabled)) func trainAndScoreWarAndPeace() throws {
    let url = URL(fileURLWithPath: "/work/shared/corpora/warpeace.txt")
    let scalars = Array(try String(contentsOf: url, encoding: .utf8).unicodeScalars)
    let symbols = Array(Set(scalars)).sorted { $0.value < $1.value }
    var indexOf: [Unicode.Scalar: Int32] = [:]
    for (i, s) in symbols.enumerated() { indexOf[s] = Int32(i) }
    let encoded = scalars.map { indexOf[$0]! }
    let split = encoded.count * 95 / 100
    let training = Array(encoded[..<split])
    let held = Array(encoded[split...])
    let orders = (ProcessInfo.processInfo.environment["CELLSCOPE_MEASURE_ORDERS"] ?? "5,10,20")
      .split(separator: ",").compactMap { Int($0) }
    print(
      "characters \(encoded.count), vocabulary \(symbols.count), training \(training.count), held \(held.count)"
    )
    for order in orders {
      let clock = ContinuousClock()
      var model: KneserNeyModel?
      let trainTime = try clock.measure {
        model = try KneserNeyModel(training: training, vocabularySize: symbols.count, order: order)
      }
      var loss: [Double] = []
      let scoreTime = try clock.measure { loss = try model!.logLoss(of: held) }
      let bits = loss.reduce(0, +) / Double(loss.count) / log(2)
      print(
        "order \(order): train \(trainTime), score \(scoreTime) for \(held.count) chars, "
          + "held-out \(String(format: "%.4f", bits)) bits/char, model \(model!.byteCount / 1_000_000) MB, "
          + "\(model!.storedSubstringCount) stored substrings")
    }
    try measureTaxonomy(scalars: scalars, encoded: encoded, split: split, vocabularySize: symbols.count)
  }

  /// The taxonomy's cost at War and Peace scale. No LSTM here: the order-12 n-gram stands in
  /// for it, so the class counts are not figures about any LSTM, only a load test.
  func measureTaxonomy(scalars: [Unicode.Scalar], encoded: [Int32], split: Int, vocabularySize: Int) throws {
    let clock = ContinuousClock()
    let model = try KneserNeyModel(
      training: Array(encoded[..<split]), vocabularySize: vocabularySize, order: 12)
    let held = Array(encoded[split...])
    var byOrder: [[Double]] = []
    let scoreTime = try clock.measure { byOrder = try model.probabilitiesByOrder(of: held, orders: 1...12) }
    var stats: TrainingStatistics?
    let statsTime = clock.measure {
      stats = TrainingStatistics(training: Array(scalars[..<split]), substringLength: 5)
    }
    var breakdown: ErrorBreakdown?
    let classifyTime = try clock.measure {
      breakdown = try ErrorTaxonomy.classify(
        text: Array(scalars[split...]), lstmProbabilities: byOrder[11],
        ngramProbabilities: Array(byOrder[..<9]),
        training: stats!)
    }
    let counts = ErrorClass.allCases.map { "\($0.rawValue) \(breakdown!.counts[$0]!)" }.joined(
      separator: ", ")
    print(
      "taxonomy (order-12 n-gram standing in for the LSTM): orders 1...12 in \(scoreTime), "
        + "training statistics \(statsTime), classify \(classifyTime); \(counts)")
  }
}
