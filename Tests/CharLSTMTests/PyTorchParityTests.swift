import CharLSTM
import Foundation
import Testing

/// Our forward pass against PyTorch's `nn.LSTM` + `nn.Linear`, on fixtures made by
/// `scripts/torch_interop.py fixture` (float64 reference values stored as F32).
struct PyTorchParityTests {
  static func fixture(_ name: String) -> String {
    Bundle.module.path(forResource: name, ofType: "safetensors", inDirectory: "Fixtures")!
  }

  @Test(arguments: ["parity_onehot", "parity_embedding"])
  func logitsAndStatesMatchPyTorch(_ name: String) throws {
    let checkpoint = try Checkpoint.load(path: Self.fixture(name))
    let expected = try SafeTensors.read(path: Self.fixture(name + "_expected"))
    let text = try #require(expected.metadata["text"])
    let x = try checkpoint.vocabulary.encode(text)
    let T = x.count - 1, V = checkpoint.config.vocabSize, H = checkpoint.config.hiddenSize
    let L = checkpoint.config.numLayers
    let net: LSTMNetwork<Float> = checkpoint.network()
    let ws = LSTMWorkspace<Float>(config: net.config, batch: 1, steps: T)
    net.forward(tokens: Array(x.prefix(T)), state: LSTMState<Float>(for: net, batch: 1), workspace: ws)
    let logits = try #require(expected.tensors["logits"]), h = try #require(expected.tensors["h"])
    let c = try #require(expected.tensors["c"])
    #expect(logits.shape == [T, V])
    var worst: Float = 0
    for i in 0..<(T * V) { worst = max(worst, abs(ws.logits[i] - logits.values[i])) }
    for k in 0..<L {
      for t in 0..<T {
        for j in 0..<H {
          worst = max(worst, abs(ws.layers[k].h[(t + 1) * H + j] - h.values[(k * T + t) * H + j]))
          worst = max(worst, abs(ws.layers[k].c[(t + 1) * H + j] - c.values[(k * T + t) * H + j]))
        }
      }
    }
    #expect(worst < 1e-5, "largest difference from PyTorch: \(worst)")
    let loss = net.loss(targets: Array(x.dropFirst()), workspace: ws)
    #expect(abs(loss - Double(expected.tensors["loss"]!.values[0])) < 1e-5)
  }
}
