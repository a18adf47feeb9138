/// The demo corpus's own seedable random stream (SplitMix64).
///
/// The same algorithm, constants and draw (`next(upperBound:)` of the standard
/// library) as the model's `SeededGenerator`, so that a seed gives the same
/// corpus it always gave; kept here so that the corpus depends on nothing.
struct DemoRandom: RandomNumberGenerator, Sendable {
  /// The whole state: one 64-bit counter.
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform integer in 0..<bound (bound > 0), without modulo bias.
  mutating func below(_ bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    return Int(next(upperBound: UInt64(bound)))
  }
}
