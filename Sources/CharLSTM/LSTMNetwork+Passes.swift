import Dispatch

/// Forward and backward passes. Backward mirrors forward in reverse: decoder,
/// then layers from the top down, each running its time loop backwards.
extension LSTMNetwork {
  /// Runs the network over `tokens`, a (T, B) time-major block of character
  /// indices, starting from `state` and leaving the final state in it.
  ///
  /// Fills `ws` with every layer's gates, c, h and the decoder's logits (T, B, V).
  /// With `dropout` set (training), masks are drawn from it; pass nil to evaluate.
  /// With `presetMasks`, the dropout masks already in `ws` are used as they are
  /// (``ShardedStep`` draws them for the whole batch, then hands each shard its rows).
  // Exported Float specialisation: generic code is not specialised across module
  // boundaries, so without it the recorder (Interpretability) ran the slow generic path.
  @_specialize(exported:true,where S == Float)
  public func forward(
    tokens: UnsafePointer<Int32>, state: LSTMState<S>, workspace ws: LSTMWorkspace<S>,
    dropout rng: UnsafeMutablePointer<SeededGenerator>? = nil, presetMasks: Bool = false
  ) {
    let B = ws.B, T = ws.T, H = config.hiddenSize, G = 4 * H, V = config.vocabSize
    let N = T * B, L = config.numLayers, W = params.p, mm = products(ws, forward: true)
    for layer in 0..<L {
      let lw = layout.layers[layer], cache = ws.layers[layer], D = config.inputSize(layer: layer)
      let Z = cache.gates.p  // (T, B, G): z first, then i, f, g, o in place
      // z_t = W_ih·x_t + b_ih + b_hh for all N positions at once ...
      if layer == 0 && config.embeddingSize == 0 {
        gatherOneHotRows(
          weightIH: W + lw.weightIH, biasIH: W + lw.biasIH, biasHH: W + lw.biasHH, V: V, G: G,
          tokens: tokens, count: N, table: ws.oneHotRows.p, into: Z)
      } else {
        let X = layerInput(layer, tokens: tokens, ws: ws, dropout: rng, preset: presetMasks)  // (N, D)
        inputProduct(
          X, weightIH: W + lw.weightIH, biasIH: W + lw.biasIH, biasHH: W + lw.biasHH, count: N, D: D, G: G,
          into: Z, products: mm)
      }
      // ... + W_hh·h_{t-1}, one step at a time from the state carried in (slot 0).
      cache.h.p.update(from: state.h.p + layer * B * H, count: B * H)
      cache.c.p.update(from: state.c.p + layer * B * H, count: B * H)
      let recurrent = RecurrentProduct.forward(
        weightHH: W + lw.weightHH, H: H, packed: ws.packedForward.isEmpty ? nil : ws.packedForward[layer],
        products: mm)
      for t in 0..<T {
        let z = Z + t * B * G  // (B, G)
        let hPrev = cache.h.p + t * B * H, cPrev = cache.c.p + t * B * H  // (B, H)
        let hNext = hPrev + B * H, cNext = cPrev + B * H, tanhC = cache.tanhC.p + t * B * H  // (B, H)
        recurrent.accumulate(h: hPrev, rows: B, into: z)
        // i, f, g, o = σ(z_i), σ(z_f), tanh(z_g), σ(z_o); c_t = f ⊙ c_{t-1} + i ⊙ g; h_t = o ⊙ tanh(c_t).
        forEachRow(B, work: ws.splitsRows ? B * H : 0) { b in
          let zb = z + b * G, row = b * H
          let done =
            S.self == Float.self
            ? lstmCellForward(
              z: floats(zb), cPrev: floats(cPrev + row), cNext: floats(cNext + row),
              tanhC: floats(tanhC + row), hNext: floats(hNext + row), H: H) : 0
          lstmCellForwardReference(
            z: zb, cPrev: cPrev + row, cNext: cNext + row, tanhC: tanhC + row, hNext: hNext + row, H: H,
            cells: done..<H)
        }
        // Mean ablation, if asked: clamped cells' c := m, h := o ⊙ tanh(m).
        applyClamps(
          ws.clamps.isEmpty ? [] : ws.clamps[layer], z: z, cNext: cNext, tanhC: tanhC, hNext: hNext, H: H)
      }
      // Carry the state out.
      (state.h.p + layer * B * H).update(from: cache.h.p + T * B * H, count: B * H)
      (state.c.p + layer * B * H).update(from: cache.c.p + T * B * H, count: B * H)
    }
    // Decoder: logits = W_dec·h_top + b_dec for all N positions.
    let Y = ws.logits.p  // (N, V)
    for r in 0..<N {
      for v in 0..<V { Y[r * V + v] = W[layout.decoderBias + v] }
    }
    mm.gemm(
      transA: false, transB: true, m: N, n: V, k: H, a: ws.outputs(layer: L - 1), lda: H,
      b: W + layout.decoderWeight, ldb: H, beta: 1, c: Y, ldc: V)
  }

  /// Mean ablation (Interpretability's causal evidence): after a layer's step, each clamped cell's c
  /// is replaced by the clamp's value m and its h by o·tanh(m), so that the next step and the layer
  /// above read the clamped state. `z` holds the step's gates (B, G), o at offset 3H.
  @inline(__always)
  private func applyClamps(
    _ clamps: [CellClamp], z: UnsafeMutablePointer<S>, cNext: UnsafeMutablePointer<S>,
    tanhC: UnsafeMutablePointer<S>, hNext: UnsafeMutablePointer<S>, H: Int
  ) {
    for clamp in clamps {
      let at = clamp.row * H + clamp.unit, m = S(clamp.value), th = S.tanh(m)
      cNext[at] = m
      tanhC[at] = th
      hNext[at] = z[clamp.row * 4 * H + 3 * H + clamp.unit] * th
    }
  }

  /// The input block X (N, D) of `layer`: the embedding rows of the tokens for
  /// layer 0, or the outputs of the layer below, through a fresh dropout mask when training.
  private func layerInput(
    _ layer: Int, tokens: UnsafePointer<Int32>, ws: LSTMWorkspace<S>,
    dropout rng: UnsafeMutablePointer<SeededGenerator>?, preset: Bool
  ) -> UnsafeMutablePointer<S> {
    let N = ws.T * ws.B, H = config.hiddenSize, cache = ws.layers[layer]
    if layer == 0 {
      let X = cache.input!.p  // (N, E)
      gatherRows(
        params.p + layout.encoder!, width: config.embeddingSize, tokens: tokens, count: N, into: X)
      return X
    }
    let below = ws.outputs(layer: layer - 1)  // (N, H)
    guard let mask = cache.mask, let X = cache.input?.p else { return below }
    if preset {
      // The caller filled the mask.
    } else if let rng {
      drawDropoutMask(mask.p, count: N * H, rng: rng)
    } else {
      for j in 0..<(N * H) { mask[j] = 1 }
    }
    for j in 0..<(N * H) { X[j] = below[j] * mask[j] }
    return X
  }

  /// Fills `count` mask values: 0 with probability p, else 1/(1-p) (inverted dropout).
  func drawDropoutMask(
    _ mask: UnsafeMutablePointer<S>, count: Int, rng: UnsafeMutablePointer<SeededGenerator>
  ) {
    let p = config.dropout, keep = S(1 / (1 - p))
    for j in 0..<count { mask[j] = rng.pointee.nextUnit() < p ? 0 : keep }
  }

  /// Softmax cross-entropy of the logits in `ws` against `targets` (T, B), in
  /// nats, averaged over the T·B positions. Turns the logits into probabilities
  /// and, as a side effect, stores dLoss/dlogits for `backward`.
  // Exported Float specialisation: generic code is not specialised across module
  // boundaries, so without it the recorder (Interpretability) ran the slow generic path.
  @_specialize(exported:true,where S == Float)
  @discardableResult
  public func loss(targets: UnsafePointer<Int32>, workspace ws: LSTMWorkspace<S>) -> Double {
    let N = ws.T * ws.B, V = config.vocabSize
    let P = ws.logits.p, dY = ws.dlogits.p  // (N, V)
    var total = 0.0
    softmaxRows(P, rows: N, columns: V)
    let scale = S(1) / S(N)
    for r in 0..<N {
      let target = Int(targets[r])
      total -= Double(S.log(Swift.max(P[r * V + target], S.leastNormalMagnitude)))
      for v in 0..<V { dY[r * V + v] = P[r * V + v] * scale }
      dY[r * V + target] -= scale
    }
    return total / Double(N)
  }

  /// Backpropagates the gradient stored by `loss` through the last `forward`,
  /// accumulating parameter gradients into `grads` (call `grads.zero()` first)
  /// and leaving the gradient with respect to the initial state in `ws.dState`.
  // Exported Float specialisation: generic code is not specialised across module
  // boundaries, so without it the recorder (Interpretability) ran the slow generic path.
  @_specialize(exported:true,where S == Float)
  public func backward(tokens: UnsafePointer<Int32>, workspace ws: LSTMWorkspace<S>) {
    let B = ws.B, T = ws.T, H = config.hiddenSize, G = 4 * H, V = config.vocabSize
    let N = T * B, L = config.numLayers, W = params.p, dW = grads.p, mm = products(ws, forward: false)
    // Decoder, logits = W_dec·h_top + b_dec:
    // dW_dec += dYᵀ · h_top, db_dec += Σ dY, dH_top = dY · W_dec.
    let dY = ws.dlogits.p  // (N, V)
    mm.gemm(
      transA: true, transB: false, m: V, n: H, k: N, a: dY, lda: V,
      b: ws.outputs(layer: L - 1), ldb: H, beta: 1, c: dW + layout.decoderWeight, ldc: H)
    for r in 0..<N {
      for v in 0..<V { dW[layout.decoderBias + v] += dY[r * V + v] }
    }
    mm.gemm(
      transA: false, transB: false, m: N, n: H, k: V, a: dY, lda: V,
      b: W + layout.decoderWeight, ldb: H, beta: 0, c: ws.layers[L - 1].dH.p, ldc: H)

    for layer in stride(from: L - 1, through: 0, by: -1) {
      let lw = layout.layers[layer], cache = ws.layers[layer], D = config.inputSize(layer: layer)
      let dZ = cache.dZ.p, dH = cache.dH.p  // (T, B, G), (T, B, H)
      // What flows back into step t from t+1: dh_t through z_{t+1}, dc_t through c_{t+1}.
      let dhNext = ws.dState.h.p + layer * B * H, dcNext = ws.dState.c.p + layer * B * H  // (B, H)
      dhNext.update(repeating: 0, count: B * H)
      dcNext.update(repeating: 0, count: B * H)
      let recurrent = RecurrentProduct.backward(
        weightHH: W + lw.weightHH, H: H, packed: ws.packedForward.isEmpty ? nil : ws.packedBackward[layer],
        products: mm)
      for t in stride(from: T - 1, through: 0, by: -1) {
        let gates = cache.gates.p + t * B * G, dz = dZ + t * B * G  // (B, G)
        // (B, H) each
        let cPrev = cache.c.p + t * B * H, tanhC = cache.tanhC.p + t * B * H, dhAbove = dH + t * B * H
        // h_t = o ⊙ tanh(c_t) and c_t = f ⊙ c_{t-1} + i ⊙ g backwards: dz_t and dc_{t-1}.
        forEachRow(B, work: ws.splitsRows ? B * H : 0) { b in
          let gb = gates + b * G, dzb = dz + b * G, row = b * H
          let done =
            S.self == Float.self
            ? lstmCellBackward(
              gates: floats(gb), cPrev: floats(cPrev + row), tanhC: floats(tanhC + row),
              dhAbove: floats(dhAbove + row), dhNext: floats(dhNext + row), dcNext: floats(dcNext + row),
              dz: floats(dzb), H: H) : 0
          lstmCellBackwardReference(
            gates: gb, cPrev: cPrev + row, tanhC: tanhC + row, dhAbove: dhAbove + row, dhNext: dhNext + row,
            dcNext: dcNext + row, dz: dzb, H: H, cells: done..<H)
        }
        // z_t = ... + W_hh·h_{t-1}: dh_{t-1} = W_hhᵀ·dz_t.
        recurrent.propagate(dz: dz, rows: B, into: dhNext)
      }
      // Weight gradients, one product each over all N positions: dW_hh += dZᵀ · (h_0 ... h_{T-1}).
      mm.gemm(
        transA: true, transB: false, m: G, n: H, k: N, a: dZ, lda: G,
        b: cache.h.p, ldb: H, beta: 1, c: dW + lw.weightHH, ldc: H)
      // db_ih = db_hh = Σ dz over the positions.
      for r in 0..<N {
        for j in 0..<G {
          dW[lw.biasIH + j] += dZ[r * G + j]
          dW[lw.biasHH + j] += dZ[r * G + j]
        }
      }
      // z_t = W_ih·x_t + ...: into W_ih, and into x_t when it came from below or the embedding.
      if layer == 0 && config.embeddingSize == 0 {
        scatterOneHotRows(
          dZ, tokens: tokens, count: N, V: V, G: G, table: ws.oneHotRows.p, into: dW + lw.weightIH)
        continue
      }
      let X: UnsafeMutablePointer<S> =  // (N, D)
        (layer == 0 || cache.mask != nil) ? cache.input!.p : ws.outputs(layer: layer - 1)
      mm.gemm(
        transA: true, transB: false, m: G, n: D, k: N, a: dZ, lda: G,
        b: X, ldb: D, beta: 1, c: dW + lw.weightIH, ldc: D)
      // dX = dZ · W_ih, routed to the embedding or (through the mask) to the layer below.
      let target = cache.dX?.p ?? ws.layers[layer - 1].dH.p  // (N, D)
      mm.gemm(
        transA: false, transB: false, m: N, n: D, k: G, a: dZ, lda: G,
        b: W + lw.weightIH, ldb: D, beta: 0, c: target, ldc: D)
      if layer == 0 {
        scatterAddRows(
          cache.dX!.p, width: config.embeddingSize, tokens: tokens, count: N, into: dW + layout.encoder!)
      } else if let mask = cache.mask, let dX = cache.dX {
        let dHBelow = ws.layers[layer - 1].dH.p  // (N, H)
        for j in 0..<(N * H) { dHBelow[j] = dX[j] * mask[j] }
      }
    }
  }
}

/// Runs `body` for every batch row b in 0..<B, split across two threads when the
/// element-wise work (`work` cells) is large enough to pay for the hand-off: the
/// matrix products already use both cores, but the element-wise steps between
/// them would otherwise run on one.
@inline(__always)
func forEachRow(_ B: Int, work: Int, _ body: (Int) -> Void) {
  guard work >= 16_384, B >= 2 else {
    for b in 0..<B { body(b) }
    return
  }
  // The halves touch disjoint rows, so sharing the closure across threads is safe.
  withoutActuallyEscaping(body) { body in
    let shared = RowBody(run: body)
    DispatchQueue.concurrentPerform(iterations: 2) { half in
      for b in (half * B / 2)..<((half + 1) * B / 2) { shared.run(b) }
    }
  }
}

private struct RowBody: @unchecked Sendable {
  let run: (Int) -> Void
}
