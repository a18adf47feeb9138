import Foundation

/// RMSProp (char-rnn's default) and Adam over the flat parameter buffer, after
/// element-wise gradient clipping as char-rnn does (`grad:clamp(-c, c)`).
///
/// State slots use PyTorch's names (`square_avg`; `exp_avg`, `exp_avg_sq`) so a
/// checkpoint's optimizer tensors read as PyTorch's would.
public struct Optimizer: Sendable {
  public enum Kind: String, Codable, Sendable, CaseIterable { case rmsprop, adam }

  public let kind: Kind
  /// RMSProp's decay of the squared-gradient average (char-rnn: 0.95).
  public var decay: Double = 0.95
  public var beta1 = 0.9, beta2 = 0.999
  public var epsilon = 1e-8
  /// Adam's step count (for bias correction).
  public var step = 0
  /// Slot name → values, each the size of the parameter buffer.
  public private(set) var slots: [String: [Float]]

  public init(kind: Kind, parameterCount n: Int) {
    self.kind = kind
    switch kind {
    case .rmsprop: slots = ["square_avg": [Float](repeating: 0, count: n)]
    case .adam:
      slots = [
        "exp_avg": [Float](repeating: 0, count: n), "exp_avg_sq": [Float](repeating: 0, count: n),
      ]
    }
  }

  public static func slotNames(_ kind: Kind) -> [String] {
    kind == .rmsprop ? ["square_avg"] : ["exp_avg", "exp_avg_sq"]
  }

  /// Restores saved slots; throws if a slot is missing or has the wrong size.
  public mutating func restore(slots saved: [String: [Float]], step: Int) throws {
    for name in Optimizer.slotNames(kind) {
      guard let v = saved[name], v.count == slots[name]!.count else {
        throw CellscopeError.invalidOption(
          "the checkpoint's optimizer state does not match --optimizer \(kind.rawValue).")
      }
      slots[name] = v
    }
    self.step = step
  }

  /// Clamps every gradient to [-clip, clip] (clip ≤ 0 disables it), then updates.
  public mutating func update(
    params: Buffer<Float>, grads: Buffer<Float>, learningRate lr: Double, clip: Double
  ) {
    let n = params.count, p = params.p, g = grads.p
    if clip > 0 {
      let c = Float(clip)
      for j in 0..<n { g[j] = Swift.min(Swift.max(g[j], -c), c) }
    }
    step += 1
    switch kind {
    case .rmsprop:
      let a = Float(decay), lrf = Float(lr), eps = Float(epsilon)
      slots["square_avg"]!.withUnsafeMutableBufferPointer { v in
        for j in 0..<n {
          v[j] = a * v[j] + (1 - a) * g[j] * g[j]
          p[j] -= lrf * g[j] / (v[j].squareRoot() + eps)
        }
      }
    case .adam:
      let b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
      let c1 = 1 - Foundation.pow(beta1, Double(step)), c2 = 1 - Foundation.pow(beta2, Double(step))
      let stepSize = Float(lr / c1), c2f = Float(c2.squareRoot())
      var m = slots.removeValue(forKey: "exp_avg")!, v = slots.removeValue(forKey: "exp_avg_sq")!
      m.withUnsafeMutableBufferPointer { m in
        v.withUnsafeMutableBufferPointer { v in
          for j in 0..<n {
            m[j] = b1 * m[j] + (1 - b1) * g[j]
            v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j]
            p[j] -= stepSize * m[j] / (v[j].squareRoot() / c2f + eps)
          }
        }
      }
      slots["exp_avg"] = m
      slots["exp_avg_sq"] = v
    }
  }
}
