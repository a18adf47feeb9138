import Dispatch

/// One training (or evaluation) step over a (T, B) block, computed as two
/// shards of the batch, b < B/2 and b ≥ B/2, each on a core of its own.
///
/// Why: the per-step recurrent products (B x H by H x 4H) are too small for
/// OpenBLAS to use two threads well (1.4x at 2 x 128 on this kind of machine),
/// while two single-threaded halves of the batch are independent until their
/// gradients are added, so they scale almost 2x. The batch is always cut in
/// two, also on one thread, so that the checkpoint does not depend on the
/// thread count: only the order of additions differs from the unsharded
/// ``LSTMNetwork/forward(tokens:state:workspace:dropout:presetMasks:)`` path.
///
/// Dropout masks are drawn for the whole batch in the unsharded order (layer by
/// layer, each (T, B, H)), then each shard gets its rows: the same masks and the
/// same generator state as the unsharded path.
public final class ShardedStep: @unchecked Sendable {
  public let network: LSTMNetwork<Float>
  public let B: Int, T: Int
  public let training: Bool
  let shards: [Shard]
  let fullMasks: [Buffer<Float>]  // per layer k ≥ 1 with dropout: (T, B, H)

  final class Shard: @unchecked Sendable {
    let net: LSTMNetwork<Float>  // shares `network.params`, owns its gradients
    let ws: LSTMWorkspace<Float>
    let state: LSTMState<Float>  // (L, Bs, H)
    let rows: Range<Int>  // batch rows b of the full block
    let tokens: UnsafeMutablePointer<Int32>  // (T, Bs)
    let targets: UnsafeMutablePointer<Int32>  // (T, Bs)
    var loss = 0.0

    init(network: LSTMNetwork<Float>, rows: Range<Int>, T: Int, training: Bool) {
      net = LSTMNetwork(sharingParametersOf: network, gradients: training)
      ws = LSTMWorkspace(config: network.config, batch: rows.count, steps: T)
      ws.splitsRows = false
      state = LSTMState(for: network, batch: rows.count)
      self.rows = rows
      tokens = .allocate(capacity: T * rows.count)
      targets = .allocate(capacity: T * rows.count)
    }
    deinit {
      tokens.deallocate()
      targets.deallocate()
    }
  }

  /// - Parameters:
  ///   - B: the batch; a batch of 1 is one shard.
  ///   - training: false for forward passes only (the recorder): the shards then
  ///     keep no gradients (a parameter-sized buffer each) and `train` is refused.
  public init(network: LSTMNetwork<Float>, batch B: Int, steps T: Int, training: Bool = true) {
    self.network = network
    self.training = training
    self.B = B
    self.T = T
    let half = B / 2
    let cuts = B >= 2 ? [0..<half, half..<B] : [0..<B]
    shards = cuts.map { Shard(network: network, rows: $0, T: T, training: training) }
    let c = network.config
    fullMasks = c.dropout > 0 ? (1..<c.numLayers).map { _ in Buffer(T * B * c.hiddenSize) } : []
  }

  /// Runs forward and the loss over `tokens` (T, B) against `targets` (T, B) from
  /// `state` (left holding the final state), and with `train` also backward,
  /// leaving dLoss/dparams in `network.grads` (overwritten, not accumulated).
  ///
  /// - Parameters:
  ///   - dropout: the generator masks are drawn from when training; nil: no dropout.
  ///   - parallel: run the two shards at once (OpenBLAS is held to one thread
  ///     meanwhile); false runs them one after the other with the same result.
  ///     By default, at once when the products may use two threads or more.
  /// - Returns: the mean cross-entropy in nats over the T·B positions.
  @discardableResult
  public func run(
    tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, state: LSTMState<Float>,
    train: Bool, dropout rng: UnsafeMutablePointer<SeededGenerator>?, parallel: Bool = matrixThreads >= 2
  ) -> Double {
    execute(tokens: tokens, targets: targets, state: state, train: train, dropout: rng, parallel: parallel)
  }

  /// Forward only, for the recorder: runs `tokens` (T, B) from `state` (left
  /// holding the final state) and turns each shard's logits into next-character
  /// probabilities. Read the caches of batch row b through ``shard(ofRow:)``.
  public func forward(
    tokens: UnsafePointer<Int32>, state: LSTMState<Float>, parallel: Bool = matrixThreads >= 2
  ) {
    execute(tokens: tokens, targets: nil, state: state, train: false, dropout: nil, parallel: parallel)
  }

  /// The workspace holding batch row b after a pass, and b's row in it.
  public func shard(ofRow b: Int) -> (workspace: LSTMWorkspace<Float>, row: Int) {
    let s = shards.count == 1 || b < shards[1].rows.lowerBound ? shards[0] : shards[1]
    return (s.ws, b - s.rows.lowerBound)
  }

  @discardableResult
  private func execute(
    tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>?, state: LSTMState<Float>,
    train: Bool, dropout rng: UnsafeMutablePointer<SeededGenerator>?, parallel: Bool
  ) -> Double {
    let H = network.config.hiddenSize, L = network.config.numLayers, V = network.config.vocabSize
    precondition(training || !train, "this step was made for forward passes only")
    if let rng {
      for m in fullMasks { network.drawDropoutMask(m.p, count: m.count, rng: rng) }
    }
    let preset = rng != nil, scored = targets != nil
    for s in shards { scatter(s, tokens: tokens, targets: targets, state: state, masks: preset) }
    let work: @Sendable (Int) -> Void = { i in
      let s = self.shards[i]
      s.net.forward(tokens: s.tokens, state: s.state, workspace: s.ws, presetMasks: preset)
      guard scored else {
        softmaxRows(s.ws.logits.p, rows: s.ws.T * s.ws.B, columns: V)
        return
      }
      s.loss = s.net.loss(targets: s.targets, workspace: s.ws)
      if train {
        s.net.grads.zero()
        s.net.backward(tokens: s.tokens, workspace: s.ws)
      }
    }
    if parallel && shards.count == 2 {
      withSingleThreadedProducts { DispatchQueue.concurrentPerform(iterations: 2, execute: work) }
    } else {
      for i in shards.indices { work(i) }
    }
    // Gather: final state rows, the loss and gradient weighted by each shard's share.
    var loss = 0.0
    for s in shards {
      let Bs = s.rows.count
      let b0 = s.rows.lowerBound
      for k in 0..<L {
        (state.h.p + (k * B + b0) * H).update(from: s.state.h.p + k * Bs * H, count: Bs * H)
        (state.c.p + (k * B + b0) * H).update(from: s.state.c.p + k * Bs * H, count: Bs * H)
      }
      loss += s.loss * Double(Bs) / Double(B)
    }
    if train { combineGradients() }
    return loss
  }

  /// Copies the shard's rows of the tokens, targets, state and dropout masks.
  private func scatter(
    _ s: Shard, tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>?, state: LSTMState<Float>,
    masks: Bool
  ) {
    let Bs = s.rows.count, H = network.config.hiddenSize, L = network.config.numLayers
    let b0 = s.rows.lowerBound
    for t in 0..<T {
      (s.tokens + t * Bs).update(from: tokens + t * B + b0, count: Bs)
      if let targets { (s.targets + t * Bs).update(from: targets + t * B + b0, count: Bs) }
    }
    for k in 0..<L {
      (s.state.h.p + k * Bs * H).update(from: state.h.p + (k * B + b0) * H, count: Bs * H)
      (s.state.c.p + k * Bs * H).update(from: state.c.p + (k * B + b0) * H, count: Bs * H)
    }
    guard masks else { return }
    for (i, full) in fullMasks.enumerated() {
      let mask = s.ws.layers[i + 1].mask!.p  // (T, Bs, H)
      for t in 0..<T {
        (mask + t * Bs * H).update(from: full.p + (t * B + b0) * H, count: Bs * H)
      }
    }
  }

  /// network.grads = Σ (Bs / B) · shard grads: each shard's loss is a mean over its own rows.
  private func combineGradients() {
    let g = network.grads.p, n = network.layout.count
    if shards.count == 1 {
      g.update(from: shards[0].net.grads.p, count: n)
      return
    }
    let w0 = Float(shards[0].rows.count) / Float(B), w1 = Float(shards[1].rows.count) / Float(B)
    let g0 = shards[0].net.grads.p, g1 = shards[1].net.grads.p
    for j in 0..<n { g[j] = w0 * g0[j] + w1 * g1[j] }
  }
}
