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
    let W = params.p
    for k in 0..<config.numLayers {
      let lw = layout.layers[k], cache = ws.layers[k], D = config.inputSize(layer: k)
      let Z = cache.gates.p  // (T, B, 4H), pre-activations first, then gates in place
      // Z = X · W_ihᵀ + b_ih + b_hh for all T·B positions at once.
      if k == 0 && config.embeddingSize == 0 {
        // One-hot input: the product picks column x of W_ih (4H, V). Transpose
        // once, biases added, so that each position is one copy of a row (V, 4H).
        let Wt = ws.oneHotRows.p  // (V, 4H)
        for j in 0..<G {
          let bias = W[lw.biasIH + j] + W[lw.biasHH + j]
          for v in 0..<V { Wt[v * G + j] = bias + W[lw.weightIH + j * V + v] }
        }
        for r in 0..<(T * B) { (Z + r * G).update(from: Wt + Int(tokens[r]) * G, count: G) }
      } else {
        for j in 0..<G { Z[j] = W[lw.biasIH + j] + W[lw.biasHH + j] }
        for r in 1..<Swift.max(T * B, 1) { (Z + r * G).update(from: Z, count: G) }
        let X = layerInput(k, tokens: tokens, ws: ws, dropout: rng, preset: presetMasks)  // (T·B, D)
        S.gemm(
          transA: false, transB: true, m: T * B, n: G, k: D, alpha: 1, a: X, lda: D,
          b: W + lw.weightIH, ldb: D, beta: 1, c: Z, ldc: G)
      }
      // Carry the state in: slot 0 of the caches.
      cache.h.p.update(from: state.h.p + k * B * H, count: B * H)
      cache.c.p.update(from: state.c.p + k * B * H, count: B * H)
      let packed = ws.packedForward.isEmpty ? nil : ws.packedForward[k]
      packed?.pack(floats(W + lw.weightHH), ldb: H, transposed: true)  // W_hhᵀ (H, 4H)
      for t in 0..<T {
        let z = Z + t * B * G  // (B, 4H)
        let hPrev = cache.h.p + t * B * H, cPrev = cache.c.p + t * B * H  // (B, H)
        let hNext = hPrev + B * H, cNext = cPrev + B * H, tc = cache.tanhC.p + t * B * H
        // z += h_{t-1} · W_hhᵀ: the only per-step product.
        if let packed {
          packed.multiply(m: B, a: floats(hPrev), lda: H, c: floats(z), ldc: G, beta: 1)
        } else {
          S.gemm(
            transA: false, transB: true, m: B, n: G, k: H, alpha: 1, a: hPrev, lda: H,
            b: W + lw.weightHH, ldb: H, beta: 1, c: z, ldc: G)
        }
        forEachRow(B, work: ws.splitsRows ? B * H : 0) { b in
          let zb = z + b * G
          var first = 0
          if S.self == Float.self {
            // The vectorised path; the loop below finishes any cells past a multiple of 8.
            func f(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
              UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
            }
            first = lstmPointwiseFloat(
              z: f(zb), cPrev: f(cPrev + b * H), cNext: f(cNext + b * H), tanhC: f(tc + b * H),
              hNext: f(hNext + b * H), H: H)
          }
          for j in first..<H {
            let i = sigmoid(zb[j]), f = sigmoid(zb[H + j]), g = S.tanh(zb[2 * H + j])
            let o = sigmoid(zb[3 * H + j])
            zb[j] = i
            zb[H + j] = f
            zb[2 * H + j] = g
            zb[3 * H + j] = o
            let c = f * cPrev[b * H + j] + i * g
            let th = S.tanh(c)
            cNext[b * H + j] = c
            tc[b * H + j] = th
            hNext[b * H + j] = o * th
          }
        }
        applyClamps(ws.clamps.isEmpty ? [] : ws.clamps[k], z: z, cNext: cNext, tanhC: tc, hNext: hNext, H: H)
      }
      // Carry the state out.
      (state.h.p + k * B * H).update(from: cache.h.p + T * B * H, count: B * H)
      (state.c.p + k * B * H).update(from: cache.c.p + T * B * H, count: B * H)
    }
    // logits = h_top · W_decᵀ + b_dec for all T·B positions.
    let Y = ws.logits.p  // (T·B, V)
    for r in 0..<(T * B) {
      for v in 0..<V { Y[r * V + v] = W[layout.decoderBias + v] }
    }
    S.gemm(
      transA: false, transB: true, m: T * B, n: V, k: H, alpha: 1,
      a: ws.outputs(layer: config.numLayers - 1), lda: H, b: W + layout.decoderWeight, ldb: H,
      beta: 1, c: Y, ldc: V)
  }

  /// Mean ablation (Interpretability's causal evidence): after layer k's step, each clamped cell's c
  /// is replaced by the clamp's value m and its h by o·tanh(m), so that the next step and the layer
  /// above read the clamped state. `z` holds the step's gates (B, 4H), o at offset 3H.
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

  /// The input block of layer k (T·B, D): the embedding rows of the tokens for
  /// layer 0, or the outputs of layer k-1, through a fresh dropout mask when training.
  private func layerInput(
    _ k: Int, tokens: UnsafePointer<Int32>, ws: LSTMWorkspace<S>,
    dropout rng: UnsafeMutablePointer<SeededGenerator>?, preset: Bool
  ) -> UnsafeMutablePointer<S> {
    let B = ws.B, T = ws.T, H = config.hiddenSize, cache = ws.layers[k]
    if k == 0 {
      let E = config.embeddingSize, X = cache.input!.p, enc = params.p + layout.encoder!
      for r in 0..<(T * B) { (X + r * E).update(from: enc + Int(tokens[r]) * E, count: E) }
      return X
    }
    let below = ws.outputs(layer: k - 1)
    guard let mask = cache.mask, let X = cache.input?.p else { return below }
    if preset {
      // The caller filled the mask.
    } else if let rng {
      drawDropoutMask(mask.p, count: T * B * H, rng: rng)
    } else {
      for j in 0..<(T * B * H) { mask[j] = 1 }
    }
    for j in 0..<(T * B * H) { X[j] = below[j] * mask[j] }
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
    let P = ws.logits.p, dY = ws.dlogits.p  // (T·B, V)
    var total = 0.0
    softmaxRows(P, rows: N, columns: V)
    let scale = S(1) / S(N)
    for r in 0..<N {
      let y = Int(targets[r])
      total -= Double(S.log(Swift.max(P[r * V + y], S.leastNormalMagnitude)))
      for v in 0..<V { dY[r * V + v] = P[r * V + v] * scale }
      dY[r * V + y] -= scale
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
    let N = T * B, W = params.p, dW = grads.p, L = config.numLayers
    // Decoder: dW_dec += dYᵀ · h_top, db_dec += Σ dY, dH_top = dY · W_dec.
    let dY = ws.dlogits.p
    S.gemm(
      transA: true, transB: false, m: V, n: H, k: N, alpha: 1, a: dY, lda: V,
      b: ws.outputs(layer: L - 1), ldb: H, beta: 1, c: dW + layout.decoderWeight, ldc: H)
    for r in 0..<N {
      for v in 0..<V { dW[layout.decoderBias + v] += dY[r * V + v] }
    }
    S.gemm(
      transA: false, transB: false, m: N, n: H, k: V, alpha: 1, a: dY, lda: V,
      b: W + layout.decoderWeight, ldb: H, beta: 0, c: ws.layers[L - 1].dH.p, ldc: H)

    for k in stride(from: L - 1, through: 0, by: -1) {
      let lw = layout.layers[k], cache = ws.layers[k], D = config.inputSize(layer: k)
      let dZ = cache.dZ.p, dH = cache.dH.p  // (T, B, 4H), (T, B, H)
      let dhNext = ws.dState.h.p + k * B * H, dcNext = ws.dState.c.p + k * B * H  // (B, H)
      dhNext.update(repeating: 0, count: B * H)
      dcNext.update(repeating: 0, count: B * H)
      let packed = ws.packedForward.isEmpty ? nil : ws.packedBackward[k]
      packed?.pack(floats(W + lw.weightHH), ldb: H, transposed: false)  // W_hh (4H, H)
      for t in stride(from: T - 1, through: 0, by: -1) {
        let gates = cache.gates.p + t * B * G, dz = dZ + t * B * G
        let cPrev = cache.c.p + t * B * H, tc = cache.tanhC.p + t * B * H, dht = dH + t * B * H
        forEachRow(B, work: ws.splitsRows ? B * H : 0) { b in
          let gb = gates + b * G, dzb = dz + b * G
          var first = 0
          if S.self == Float.self {
            func f(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
              UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
            }
            first = lstmPointwiseBackwardFloat(
              gates: f(gb), cPrev: f(cPrev + b * H), tanhC: f(tc + b * H), dhAbove: f(dht + b * H),
              dhNext: f(dhNext + b * H), dcNext: f(dcNext + b * H), dz: f(dzb), H: H)
          }
          for j in first..<H {
            let n = b * H + j
            let i = gb[j], f = gb[H + j], g = gb[2 * H + j], o = gb[3 * H + j]
            // h_t = o ⊙ tanh(c_t): into o and c_t; plus what flows back from t+1.
            let dh = dht[n] + dhNext[n]
            let dc = dcNext[n] + dh * o * (1 - tc[n] * tc[n])
            // c_t = f ⊙ c_{t-1} + i ⊙ g: into i, g, f and c_{t-1}.
            dcNext[n] = dc * f
            // Through the nonlinearities to the pre-activations.
            dzb[j] = dc * g * i * (1 - i)
            dzb[H + j] = dc * cPrev[n] * f * (1 - f)
            dzb[2 * H + j] = dc * i * (1 - g * g)
            dzb[3 * H + j] = dh * tc[n] * o * (1 - o)
          }
        }
        // z_t = ... + W_hh · h_{t-1}: into h_{t-1}.
        if let packed {
          packed.multiply(m: B, a: floats(dz), lda: G, c: floats(dhNext), ldc: H, beta: 0)
        } else {
          S.gemm(
            transA: false, transB: false, m: B, n: H, k: G, alpha: 1, a: dz, lda: G,
            b: W + lw.weightHH, ldb: H, beta: 0, c: dhNext, ldc: H)
        }
      }
      // Weight gradients, one product each over all T·B positions.
      S.gemm(
        transA: true, transB: false, m: G, n: H, k: N, alpha: 1, a: dZ, lda: G,
        b: cache.h.p, ldb: H, beta: 1, c: dW + lw.weightHH, ldc: H)  // h_0...h_{T-1}
      for r in 0..<N {
        for j in 0..<G {
          dW[lw.biasIH + j] += dZ[r * G + j]
          dW[lw.biasHH + j] += dZ[r * G + j]
        }
      }

      if k == 0 && config.embeddingSize == 0 {
        // One-hot input: dW_ih's column x gathers the rows of dZ where x was
        // read; accumulate as contiguous rows of dWᵀ (V, 4H), then add transposed.
        let dWt = ws.oneHotRows.p  // (V, 4H)
        dWt.update(repeating: 0, count: V * G)
        for r in 0..<N {
          let row = dWt + Int(tokens[r]) * G, dzr = dZ + r * G
          for j in 0..<G { row[j] += dzr[j] }
        }
        for j in 0..<G {
          for v in 0..<V { dW[lw.weightIH + j * V + v] += dWt[v * G + j] }
        }
        continue
      }
      let X: UnsafeMutablePointer<S> =
        (k == 0 || cache.mask != nil) ? cache.input!.p : ws.outputs(layer: k - 1)
      S.gemm(
        transA: true, transB: false, m: G, n: D, k: N, alpha: 1, a: dZ, lda: G,
        b: X, ldb: D, beta: 1, c: dW + lw.weightIH, ldc: D)
      // dX = dZ · W_ih, routed to the embedding or (through the mask) to the layer below.
      let target = cache.dX?.p ?? ws.layers[k - 1].dH.p
      S.gemm(
        transA: false, transB: false, m: N, n: D, k: G, alpha: 1, a: dZ, lda: G,
        b: W + lw.weightIH, ldb: D, beta: 0, c: target, ldc: D)
      if k == 0 {
        let E = config.embeddingSize, dEnc = dW + layout.encoder!, dX = cache.dX!.p
        for r in 0..<N {
          let row = dEnc + Int(tokens[r]) * E
          for e in 0..<E { row[e] += dX[r * E + e] }
        }
      } else if let mask = cache.mask, let dX = cache.dX {
        let dHBelow = ws.layers[k - 1].dH.p
        for j in 0..<(N * H) { dHBelow[j] = dX[j] * mask[j] }
      }
    }
  }
}

/// The buffer as Float, for the Float-only kernels (used only when S is Float).
@inline(__always)
func floats<S: LSTMScalar>(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
  UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
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
