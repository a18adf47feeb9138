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
  public let B: Int, T: Int  // the whole batch; shard i runs Bs = shards[i].rows.count of its rows
  public let training: Bool
  let shards: [Shard]  // one (B = 1) or two
  let fullMasks: [Buffer<Float>]  // per layer above the first, with dropout: (T, B, H)

  final class Shard: @unchecked Sendable {
    let net: LSTMNetwork<Float>  // shares `network.params`, owns its gradients
    let ws: LSTMWorkspace<Float>  // (T, Bs) blocks
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
    let config = network.config
    fullMasks =
      config.dropout > 0 ? (1..<config.numLayers).map { _ in Buffer(T * B * config.hiddenSize) } : []
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
    for shard in shards {  // set after the shards were made
      shard.net.precision = network.precision
      shard.net.weightsAreFixed = network.weightsAreFixed
    }
    for shard in shards { scatter(shard, tokens: tokens, targets: targets, state: state, masks: preset) }
    let work: @Sendable (Int) -> Void = { index in
      let shard = self.shards[index]
      shard.net.forward(tokens: shard.tokens, state: shard.state, workspace: shard.ws, presetMasks: preset)
      guard scored else {
        softmaxRows(shard.ws.logits.p, rows: shard.ws.T * shard.ws.B, columns: V)
        return
      }
      shard.loss = shard.net.loss(targets: shard.targets, workspace: shard.ws)
      if train {
        shard.net.grads.zero()
        shard.net.backward(tokens: shard.tokens, workspace: shard.ws)
      }
    }
    if parallel && shards.count == 2 {
      withSingleThreadedProducts { DispatchQueue.concurrentPerform(iterations: 2, execute: work) }
    } else {
      for index in shards.indices { work(index) }
    }
    // Gather: final state rows, the loss and gradient weighted by each shard's share.
    var loss = 0.0
    for shard in shards {
      let Bs = shard.rows.count
      let b0 = shard.rows.lowerBound
      for layer in 0..<L {
        (state.h.p + (layer * B + b0) * H).update(from: shard.state.h.p + layer * Bs * H, count: Bs * H)
        (state.c.p + (layer * B + b0) * H).update(from: shard.state.c.p + layer * Bs * H, count: Bs * H)
      }
      loss += shard.loss * Double(Bs) / Double(B)
    }
    if train { combineGradients() }
    return loss
  }

  /// Copies the shard's rows of the tokens, targets, state and dropout masks.
  private func scatter(
    _ shard: Shard, tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>?, state: LSTMState<Float>,
    masks: Bool
  ) {
    let Bs = shard.rows.count, H = network.config.hiddenSize, L = network.config.numLayers
    let b0 = shard.rows.lowerBound
    for t in 0..<T {
      (shard.tokens + t * Bs).update(from: tokens + t * B + b0, count: Bs)
      if let targets { (shard.targets + t * Bs).update(from: targets + t * B + b0, count: Bs) }
    }
    for layer in 0..<L {
      (shard.state.h.p + layer * Bs * H).update(from: state.h.p + (layer * B + b0) * H, count: Bs * H)
      (shard.state.c.p + layer * Bs * H).update(from: state.c.p + (layer * B + b0) * H, count: Bs * H)
    }
    guard masks else { return }
    for (index, full) in fullMasks.enumerated() {
      let mask = shard.ws.layers[index + 1].mask!.p  // (T, Bs, H)
      for t in 0..<T {
        (mask + t * Bs * H).update(from: full.p + (t * B + b0) * H, count: Bs * H)
      }
    }
  }

  /// network.grads = Σ (Bs / B) · shard grads: each shard's loss is a mean over its own rows.
  private func combineGradients() {
    let dW = network.grads.p, count = network.layout.count  // (layout.count)
    if shards.count == 1 {
      dW.update(from: shards[0].net.grads.p, count: count)
      return
    }
    let share0 = Float(shards[0].rows.count) / Float(B), share1 = Float(shards[1].rows.count) / Float(B)
    let dW0 = shards[0].net.grads.p, dW1 = shards[1].net.grads.p  // (layout.count) each
    for j in 0..<count { dW[j] = share0 * dW0[j] + share1 * dW1[j] }
  }
}
