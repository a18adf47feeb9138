import Foundation
import Testing

@testable import CharLSTM

/// Finite differences in Double against backward, for every element of every
/// tensor and of the initial state, at tiny distinct sizes (B=2, T=3, V=5, H=4, L=2).
struct GradientCheckTests {
  struct Case: CustomStringConvertible, Sendable {
    var embedding: Int
    var dropout: Double
    var description: String { "E=\(embedding) dropout=\(dropout)" }
  }

  static let cases = [
    Case(embedding: 0, dropout: 0), Case(embedding: 3, dropout: 0), Case(embedding: 0, dropout: 0.4),
  ]

  @Test(arguments: cases)
  func everyGradientMatchesFiniteDifferences(_ c: Case) {
    let B = 2, T = 3, V = 5, H = 4, L = 2
    let config = ModelConfig(
      vocabSize: V, hiddenSize: H, numLayers: L, embeddingSize: c.embedding, dropout: c.dropout)
    let net = LSTMNetwork<Double>(config: config)
    net.initialize(seed: 3, uniformScale: 0.5, forgetBias: 0.3)
    var rng = SeededGenerator(seed: 11)
    let x = (0..<(T * B)).map { _ in Int32(rng.below(V)) }
    let y = (0..<(T * B)).map { _ in Int32(rng.below(V)) }
    let h0 = (0..<(L * B * H)).map { _ in rng.uniform(-0.5, 0.5) }
    let c0 = (0..<(L * B * H)).map { _ in rng.uniform(-0.5, 0.5) }
    let ws = LSTMWorkspace<Double>(config: config, batch: B, steps: T)
    let state = LSTMState<Double>(for: net, batch: B)

    // The loss as a function of everything, with the same dropout mask each time.
    func lossNow(_ h: [Double], _ cc: [Double]) -> Double {
      for j in 0..<h.count {
        state.h[j] = h[j]
        state.c[j] = cc[j]
      }
      var maskRNG = SeededGenerator(seed: 99)
      net.forward(tokens: x, state: state, workspace: ws, dropout: &maskRNG)
      return net.loss(targets: y, workspace: ws)
    }

    _ = lossNow(h0, c0)
    net.grads.zero()
    net.backward(tokens: x, workspace: ws)
    let analytic = net.grads.array, dh0 = ws.dState.h.array, dc0 = ws.dState.c.array

    let eps = 1e-6
    func check(_ name: String, _ a: Double, _ plus: Double, _ minus: Double) {
      let numeric = (plus - minus) / (2 * eps)
      let err = abs(a - numeric) / max(1e-8, abs(a) + abs(numeric))
      #expect(err < 1e-5 || abs(a - numeric) < 1e-9, "\(name): analytic \(a), numeric \(numeric)")
    }
    for e in net.layout.entries {
      for j in 0..<e.count {
        let k = e.offset + j, saved = net.params[k]
        net.params[k] = saved + eps
        let plus = lossNow(h0, c0)
        net.params[k] = saved - eps
        let minus = lossNow(h0, c0)
        net.params[k] = saved
        check("\(e.name)[\(j)]", analytic[k], plus, minus)
      }
    }
    for j in 0..<h0.count {
      var hp = h0, hm = h0
      hp[j] += eps
      hm[j] -= eps
      check("h0[\(j)]", dh0[j], lossNow(hp, c0), lossNow(hm, c0))
      var cp = c0, cm = c0
      cp[j] += eps
      cm[j] -= eps
      check("c0[\(j)]", dc0[j], lossNow(h0, cp), lossNow(h0, cm))
    }
  }

  @Test func blasProductEqualsNaiveLoops() {
    var rng = SeededGenerator(seed: 5)
    // Large single rows and columns go through gemv: every transposition, beta = 0,
    // and row strides wider than the rows (padding 2) so that strided vectors are read.
    let shapes = [
      (7, 5, 6, 0.3), (1, 5, 6, 0.3), (7, 1, 6, 0.3), (1, 1, 6, 0.3),
      (1, 512, 512, 0.3), (512, 1, 512, 0.3), (1, 520, 512, 0), (520, 1, 512, 0),
    ]
    #expect(shapes.filter { max($0.0, $0.1) * $0.2 >= vectorProductMinimum }.count == 4)
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
      for (m, n, k, beta) in shapes {
        let lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 2, ldc = n + 2
        let a = Buffer<Double>((0..<((ta ? k : m) * lda)).map { _ in rng.uniform(-1, 1) })
        let b = Buffer<Double>((0..<((tb ? n : k) * ldb)).map { _ in rng.uniform(-1, 1) })
        let c1 = Buffer<Double>((0..<(m * ldc)).map { _ in rng.uniform(-1, 1) })
        let c2 = Buffer<Double>(c1.array)
        Double.gemm(
          transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.7, a: a.p, lda: lda, b: b.p, ldb: ldb,
          beta: beta, c: c1.p, ldc: ldc)
        naiveGemm(
          transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.7, a: a.p, lda: lda, b: b.p, ldb: ldb,
          beta: beta, c: c2.p, ldc: ldc)
        // Every element, the padding included: it must be left alone.
        for i in 0..<(m * ldc) {
          #expect(abs(c1[i] - c2[i]) < 1e-12, "m \(m) n \(n) transA \(ta) transB \(tb) at \(i)")
        }
      }
    }
  }

  /// The fused, batched forward equals a naive per-step, per-cell recomputation.
  @Test func forwardEqualsNaiveRecomputation() {
    let B = 2, T = 4, V = 6, H = 3, L = 2
    let config = ModelConfig(vocabSize: V, hiddenSize: H, numLayers: L)
    let net = LSTMNetwork<Double>(config: config)
    net.initialize(seed: 8, uniformScale: 0.7, forgetBias: 0)
    var rng = SeededGenerator(seed: 2)
    let x = (0..<(T * B)).map { _ in Int32(rng.below(V)) }
    let ws = LSTMWorkspace<Double>(config: config, batch: B, steps: T)
    net.forward(tokens: x, state: LSTMState<Double>(for: net, batch: B), workspace: ws)
    let W = net.params.array
    func sig(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
    for b in 0..<B {
      var h = [[Double]](repeating: [Double](repeating: 0, count: H), count: L), c = h
      for t in 0..<T {
        var input = [Double](repeating: 0, count: V)
        input[Int(x[t * B + b])] = 1
        for k in 0..<L {
          let lw = net.layout.layers[k], D = input.count
          var hNew = [Double](repeating: 0, count: H), cNew = hNew
          for j in 0..<H {
            func z(_ gate: Int) -> Double {
              let row = gate * H + j
              var s = W[lw.biasIH + row] + W[lw.biasHH + row]
              for d in 0..<D { s += W[lw.weightIH + row * D + d] * input[d] }
              for d in 0..<H { s += W[lw.weightHH + row * H + d] * h[k][d] }
              return s
            }
            let i = sig(z(0)), f = sig(z(1)), g = Foundation.tanh(z(2)), o = sig(z(3))
            cNew[j] = f * c[k][j] + i * g
            hNew[j] = o * Foundation.tanh(cNew[j])
          }
          h[k] = hNew
          c[k] = cNew
          input = hNew
          for j in 0..<H {
            #expect(abs(ws.layers[k].h[((t + 1) * B + b) * H + j] - hNew[j]) < 1e-12)
            #expect(abs(ws.layers[k].c[((t + 1) * B + b) * H + j] - cNew[j]) < 1e-12)
          }
        }
        for v in 0..<V {
          var s = W[net.layout.decoderBias + v]
          for j in 0..<H { s += W[net.layout.decoderWeight + v * H + j] * h[L - 1][j] }
          #expect(abs(ws.logits[(t * B + b) * V + v] - s) < 1e-12)
        }
      }
    }
  }
}
