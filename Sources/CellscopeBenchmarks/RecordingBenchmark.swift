import CharLSTM
import Foundation
import Interpretability

/// Timings for `cellscope bench`: the recorder alone (forward, every c, h and
/// gate of every layer handed out per position, softmax and top-5), without the
/// statistics, at a given shape, over random characters, after an untimed warm-up
/// over the first eighth of them.
public enum RecordingBenchmark {
  /// Characters per second recorded; `batch` 1 is the exact single-stream mode.
  public static func run(
    layers: Int, hidden: Int, batch: Int, characters: Int, vocab V: Int, precision: Precision = .fp32
  ) -> Double {
    let config = ModelConfig(vocabSize: V, hiddenSize: hidden, numLayers: layers)
    let net = LSTMNetwork<Float>(config: config)
    net.initialize(seed: 1, uniformScale: 0.08, forgetBias: 1)
    net.precision = precision
    net.weightsAreFixed = true  // a reader, as in the analysis: bf16 packs each weight once
    var rng = SeededGenerator(seed: 3)
    let tokens = (0..<characters).map { _ in Int32(rng.below(V)) }
    var options = RecorderOptions()
    options.mode = batch == 1 ? .exact : .fast
    options.streams = batch
    options.warmup = 0
    let recorder = Recorder(network: net, options: options)
    var checksum: Float = 0
    var top = [Int](repeating: 0, count: 5)
    let observe = { (o: Observation) in
      // Top-5 by selection, as a report needs; touch the recorded states.
      for k in 0..<5 {
        var best = -1
        for v in 0..<V where !top[0..<k].contains(v) && (best < 0 || o.probs[v] > o.probs[best]) { best = v }
        top[k] = best
      }
      checksum += o.values[0] + o.gates[0] + o.probs[top[0]]
    }
    // Warm-up (thread pools, page faults of the workspaces), untimed.
    recorder.run(
      tokens: Array(tokens.prefix(max(2 * batch, characters / 8))), segmentStarted: { _ in }, observe: observe
    )
    let clock = ContinuousClock(), start = clock.now
    recorder.run(tokens: tokens, segmentStarted: { _ in }, observe: observe)
    let elapsed = seconds(clock.now - start)
    precondition(checksum.isFinite)
    return Double(characters) / elapsed
  }
}
