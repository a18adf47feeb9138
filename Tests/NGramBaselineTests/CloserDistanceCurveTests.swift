import Testing

@testable import NGramBaseline

@Suite struct CloserDistanceCurveTests {
  @Test func binsClosersByDistanceToTheirOpeners() throws {
    // 0 ( 1 a 2 b 3 )  → distance 3
    // 4 [ 5 x 6 ]      → distance 2
    // 7 " 8 h 9 i 10 " → distance 3
    // 11 )             → unmatched
    // 12 ( 13 ( 14 a 15 ) 16 ) → inner 2 (15−13), outer 4 (16−12)
    // 17 { then 18…36 filler, 37 } → distance 20
    let text = Array(("(ab)[x]\"hi\")((a)){" + String(repeating: "-", count: 19) + "}").unicodeScalars)
    #expect(text.count == 38)
    let lossA = text.indices.map { Double($0) }
    let lossB = [Double](repeating: 1, count: text.count)
    let curve = try CloserDistanceCurve(text: text, lossA: lossA, lossB: lossB, edges: [1, 2, 4, 8, 16])
    #expect(curve.unmatchedClosers == 1)
    #expect(curve.bins.map(\.count) == [0, 4, 1, 0, 1])
    // Bin [2, 4): closers at 6, 3, 10, 15 → mean of A = (6 + 3 + 10 + 15) / 4.
    #expect(curve.bins[1].meanLossA == 34.0 / 4)
    #expect(curve.bins[1].meanLossB == 1)
    #expect(curve.bins[2].meanLossA == 16)  // the outer ) at 16, distance 4
    #expect(curve.bins[4].meanLossA == 37)  // the } at 37, distance 20
    #expect(curve.bins[4].distances == 16..<Int.max)
    #expect(curve.bins[0].meanLossA == nil)
  }

  @Test func rejectsMismatchedLosses() {
    #expect(throws: NGramError.self) {
      try CloserDistanceCurve(text: Array("()".unicodeScalars), lossA: [1], lossB: [1, 1])
    }
  }
}
