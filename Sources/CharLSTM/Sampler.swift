import Foundation

/// Generates text from a model, one character at a time, as char-rnn's sample.lua.
///
/// Deterministic for a seed. The prime text is read first (any characters of the
/// vocabulary); with no prime, the first character is drawn uniformly, as
/// char-rnn does.
public struct Sampler {
  public let vocabulary: Vocabulary
  let network: LSTMNetwork<Float>

  public init(checkpoint: Checkpoint) {
    vocabulary = checkpoint.vocabulary
    network = checkpoint.network()
  }

  public init(network: LSTMNetwork<Float>, vocabulary: Vocabulary) {
    self.network = network
    self.vocabulary = vocabulary
  }

  /// Returns the prime followed by `length` generated characters.
  ///
  /// - Parameters:
  ///   - temperature: divides the logits; lower is more conservative. Must be > 0.
  ///   - argmax: always take the most likely character (temperature is ignored).
  /// - Throws: `characterNotInVocabulary` if the prime holds an unknown character.
  public func sample(
    length: Int, temperature: Double = 1, prime: String = "", seed: UInt64 = 1, argmax: Bool = false
  )
    throws -> String
  {
    var rng = SeededGenerator(seed: seed)
    let V = network.config.vocabSize
    let state = LSTMState<Float>(for: network, batch: 1)
    let ws = LSTMWorkspace<Float>(config: network.config, batch: 1, steps: 1)
    var out = try vocabulary.encode(prime)
    var token: Int32
    if out.isEmpty {
      token = Int32(rng.below(V))
      out.append(token)
    }
    for x in out.dropLast() { step(x, state, ws) }
    token = out.last!
    var probs = [Double](repeating: 0, count: V)
    for _ in 0..<length {
      step(token, state, ws)
      let logits = ws.logits.p
      if argmax {
        var best = 0
        for v in 1..<V where logits[v] > logits[best] { best = v }
        token = Int32(best)
      } else {
        var top = -Double.infinity
        for v in 0..<V { top = Swift.max(top, Double(logits[v]) / temperature) }
        var sum = 0.0
        for v in 0..<V {
          probs[v] = Foundation.exp(Double(logits[v]) / temperature - top)
          sum += probs[v]
        }
        var r = rng.nextUnit() * sum
        var pick = V - 1
        for v in 0..<V {
          r -= probs[v]
          if r < 0 {
            pick = v
            break
          }
        }
        token = Int32(pick)
      }
      out.append(token)
    }
    return vocabulary.decode(out)
  }

  private func step(_ token: Int32, _ state: LSTMState<Float>, _ ws: LSTMWorkspace<Float>) {
    var x = token
    network.forward(tokens: &x, state: state, workspace: ws)
  }

  /// Keeps only the generated lines that do not occur as lines of `text` (the
  /// blog's baby-names experiment: show only novel names). Empty lines are dropped.
  public static func novelLines(_ generated: String, excluding text: String) -> [String] {
    let known = Set(text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init))
    return generated.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
      .filter { !known.contains($0) }
  }
}
