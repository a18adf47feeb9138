import Foundation

/// How well a model predicts a text: cross-entropy of each next character given
/// all the characters before it, read as one stream from a zero state.
public struct Score: Sendable, Equatable {
  /// Characters predicted (the text's length minus one).
  public var count: Int
  /// Mean cross-entropy in nats per character.
  public var natsPerChar: Double
  public var bitsPerChar: Double { natsPerChar / Foundation.log(2.0) }
  public var perplexity: Double { Foundation.exp(natsPerChar) }
}

public struct Scorer {
  let network: LSTMNetwork<Float>
  public let vocabulary: Vocabulary
  /// Characters run per forward call; the state is carried across chunks, so
  /// the result does not depend on it.
  public var chunk = 256

  /// - Parameter precision: the matrix products' (bf16 runs as fp32 on a CPU without AVX512-BF16).
  public init(checkpoint: Checkpoint, precision: Precision = .fp32) {
    network = checkpoint.readingNetwork(precision: precision)
    vocabulary = checkpoint.vocabulary
  }

  /// Scores `text`; `perChar` receives (position of the predicted character, its
  /// symbol, loss in nats) for every prediction, in order.
  ///
  /// - Throws: `characterNotInVocabulary`, or `textTooShort` for fewer than 2 characters.
  public func score(_ text: String, perChar: ((Int, UInt32, Double) -> Void)? = nil) throws -> Score {
    let x = try vocabulary.encode(text)
    guard x.count >= 2 else {
      throw CellscopeError.textTooShort("the text to score", needed: 2, got: x.count)
    }
    let V = vocabulary.count
    let state = LSTMState<Float>(for: network, batch: 1)
    var total = 0.0
    var start = 0
    var ws = LSTMWorkspace<Float>(config: network.config, batch: 1, steps: Swift.min(chunk, x.count - 1))
    while start < x.count - 1 {
      let T = Swift.min(chunk, x.count - 1 - start)
      if T != ws.T { ws = LSTMWorkspace(config: network.config, batch: 1, steps: T) }
      x.withUnsafeBufferPointer { p in
        network.forward(tokens: p.baseAddress! + start, state: state, workspace: ws)
      }
      softmaxRows(ws.logits.p, rows: T, columns: V)
      for t in 0..<T {
        let y = Int(x[start + t + 1])
        let nll = -Foundation.log(Swift.max(Double(ws.logits.p[t * V + y]), 1e-30))
        total += nll
        perChar?(start + t + 1, vocabulary.symbols[y], nll)
      }
      start += T
    }
    return Score(count: x.count - 1, natsPerChar: total / Double(x.count - 1))
  }
}
