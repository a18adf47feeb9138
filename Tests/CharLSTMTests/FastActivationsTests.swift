import CharLSTM
import Foundation
import Testing

/// The vectorised activations against Foundation's, over the range gates see.
struct FastActivationsTests {
  @Test func sigmoidAndTanhAgreeWithFoundationWithin4e7() {
    var worstSigmoid: Double = 0, worstTanh: Double = 0, worstExpRelative: Double = 0
    var x = -20.0
    while x <= 20 {
      let f = Float(x)
      worstSigmoid = max(
        worstSigmoid, abs(Double(FastActivations.sigmoid(f)) - 1 / (1 + Foundation.exp(-Double(f)))))
      worstTanh = max(worstTanh, abs(Double(FastActivations.tanh(f)) - Foundation.tanh(Double(f))))
      let e = Foundation.exp(Double(f))
      worstExpRelative = max(worstExpRelative, abs(Double(FastActivations.exp(f)) - e) / e)
      x += 0.000_731
    }
    #expect(worstSigmoid < 4e-7, "sigmoid error \(worstSigmoid)")
    #expect(worstTanh < 4e-7, "tanh error \(worstTanh)")
    #expect(worstExpRelative < 4e-7, "exp relative error \(worstExpRelative)")
  }

  @Test func extremesSaturateWithoutNaN() {
    for x: Float in [-1e30, -200, -88, 88, 200, 1e30] {
      #expect(FastActivations.sigmoid(x).isFinite && FastActivations.tanh(x).isFinite)
    }
    #expect(FastActivations.sigmoid(-200) < 1e-30 && FastActivations.sigmoid(200) == 1)
    #expect(FastActivations.tanh(-200) == -1 && FastActivations.tanh(200) == 1)
  }
}

/// The Float path (vectorised kernels, H = 19: two SIMD blocks and a scalar
/// tail) against the Double path, which the finite-difference checks verify.
/// At B = 6 the recurrent products go through the packed kernel where the CPU
/// has it (4H = 76 and H = 19: partial, masked panels), at B = 3 through BLAS.
struct FloatPathTests {
  @Test(arguments: [0, 5], [3, 6])
  func floatGradientsMatchDoubleGradients(embedding: Int, batch B: Int) {
    let T = 5, V = 7, H = 19, L = 2
    let config = ModelConfig(vocabSize: V, hiddenSize: H, numLayers: L, embeddingSize: embedding)
    let single = LSTMNetwork<Float>(config: config), double = LSTMNetwork<Double>(config: config)
    single.initialize(seed: 21, uniformScale: 0.4, forgetBias: 0.5)
    for j in 0..<single.params.count { double.params[j] = Double(single.params[j]) }
    var rng = SeededGenerator(seed: 4)
    let x = (0..<(T * B)).map { _ in Int32(rng.below(V)) }, y = (0..<(T * B)).map { _ in Int32(rng.below(V)) }
    let wsF = LSTMWorkspace<Float>(config: config, batch: B, steps: T)
    let wsD = LSTMWorkspace<Double>(config: config, batch: B, steps: T)
    single.forward(tokens: x, state: LSTMState<Float>(for: single, batch: B), workspace: wsF)
    double.forward(tokens: x, state: LSTMState<Double>(for: double, batch: B), workspace: wsD)
    for k in 0..<L {
      for i in 0..<wsF.layers[k].h.count {
        #expect(abs(Double(wsF.layers[k].h[i]) - wsD.layers[k].h[i]) < 1e-5)
      }
    }
    let lossF = single.loss(targets: y, workspace: wsF), lossD = double.loss(targets: y, workspace: wsD)
    #expect(abs(lossF - lossD) < 1e-5)
    single.grads.zero()
    double.grads.zero()
    single.backward(tokens: x, workspace: wsF)
    double.backward(tokens: x, workspace: wsD)
    var scale = 0.0, worst = 0.0
    for j in 0..<single.grads.count {
      scale = max(scale, abs(double.grads[j]))
      worst = max(worst, abs(Double(single.grads[j]) - double.grads[j]))
    }
    #expect(worst < 1e-4 * scale, "largest gradient difference \(worst) of \(scale)")
    for j in 0..<wsF.dState.h.count {
      #expect(abs(Double(wsF.dState.h[j]) - wsD.dState.h[j]) < 1e-4 * max(scale, 1e-3))
    }
  }
}

/// A batch large enough that the element-wise steps split across two threads
/// equals the same rows run one at a time (rows are independent; the batch loss
/// is the mean of the rows' losses).
struct ParallelRowsTests {
  @Test func splitBatchEqualsRowByRow() {
    let B = 64, T = 3, V = 7, H = 264  // B·H = 16,896: above the split threshold
    let config = ModelConfig(vocabSize: V, hiddenSize: H, numLayers: 1)
    let net = LSTMNetwork<Float>(config: config)
    net.initialize(seed: 2, uniformScale: 0.1, forgetBias: 1)
    var rng = SeededGenerator(seed: 9)
    let x = (0..<(T * B)).map { _ in Int32(rng.below(V)) }, y = (0..<(T * B)).map { _ in Int32(rng.below(V)) }
    let ws = LSTMWorkspace<Float>(config: config, batch: B, steps: T)
    net.forward(tokens: x, state: LSTMState<Float>(for: net, batch: B), workspace: ws)
    net.loss(targets: y, workspace: ws)
    net.grads.zero()
    net.backward(tokens: x, workspace: ws)
    let batchGrads = net.grads.array, batchH = ws.layers[0].h.array
    var summed = [Double](repeating: 0, count: net.grads.count)
    let one = LSTMWorkspace<Float>(config: config, batch: 1, steps: T)
    for b in 0..<B {
      let xb = (0..<T).map { x[$0 * B + b] }, yb = (0..<T).map { y[$0 * B + b] }
      net.forward(tokens: xb, state: LSTMState<Float>(for: net, batch: 1), workspace: one)
      for t in 0...T {
        // BLAS sums a 1-row product in another order, hence a rounding tolerance.
        for j in 0..<H { #expect(abs(one.layers[0].h[t * H + j] - batchH[(t * B + b) * H + j]) < 1e-6) }
      }
      net.loss(targets: yb, workspace: one)
      net.grads.zero()
      net.backward(tokens: xb, workspace: one)
      for j in 0..<summed.count { summed[j] += Double(net.grads[j]) / Double(B) }
    }
    var worst = 0.0, scale = 0.0
    for j in 0..<summed.count {
      worst = max(worst, abs(summed[j] - Double(batchGrads[j])))
      scale = max(scale, abs(summed[j]))
    }
    #expect(worst < 1e-5 * max(scale, 1e-6), "largest difference \(worst) of \(scale)")
  }
}
