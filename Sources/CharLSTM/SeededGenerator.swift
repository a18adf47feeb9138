/// A small, fast, seedable random number generator (SplitMix64).
///
/// Every random choice in cellscope (initial weights, dropout masks, sampling,
/// the demo corpus) draws from one of these, so that the same seed gives the
/// same bytes on every machine. Its whole state is one `UInt64`, which a
/// checkpoint stores so that a resumed run continues the same stream.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  /// The generator's complete state; saving and restoring it resumes the stream.
  public var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform value in [0, 1) with 53 random bits.
  public mutating func nextUnit() -> Double {
    Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
  }

  /// A uniform value in [lower, upper).
  public mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
    lower + (upper - lower) * nextUnit()
  }

  /// A uniform integer in 0..<bound (bound > 0), without modulo bias.
  public mutating func below(_ bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    return Int(next(upperBound: UInt64(bound)))
  }
}
