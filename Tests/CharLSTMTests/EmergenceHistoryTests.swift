import CharLSTM
import Foundation
import Synchronization
import Testing

/// The trainer's evaluation probe and the `emergence` history it fills.
struct EmergenceHistoryTests {
  static let text = String(repeating: "the cat sat on the mat. ", count: 60)

  /// The options `pre_emergence.safetensors` was trained with, by the cellscope
  /// binary built just before the probe existed: `cellscope train --text r.txt
  /// --rnn-size 8 --num-layers 1 --max-steps 10 --eval-every 5 --batch-size 4
  /// --seq-length 16` on `text` saved as r.txt (the other options at their defaults).
  static func fixtureOptions() -> TrainingOptions {
    var o = TrainingOptions()
    o.rnnSize = 8
    o.numLayers = 1
    o.maxSteps = 10
    o.evalEvery = 5
    o.batchSize = 4
    o.seqLength = 16
    return o
  }

  static var fixturePath: String {
    Bundle.module.path(forResource: "pre_emergence", ofType: "safetensors", inDirectory: "Fixtures")!
  }

  /// What the hook saw, gathered from its (Sendable) closure.
  final class Calls: Sendable {
    let seen = Mutex<[(step: Int, tokens: [Int32])]>([])
  }

  @Test func theProbeIsCalledAtEachEvaluationWithItsStepAndTheValidationText() throws {
    var o = Self.fixtureOptions()
    o.maxSteps = 12
    let trainer = try Trainer(text: Self.text, textName: "r.txt", options: o)
    trainer.probeCharacters = 40
    let calls = Calls()
    trainer.evaluationProbe = { input in
      calls.seen.withLock { $0.append((input.step, input.tokens)) }
      return [
        FeatureEmergence(
          feature: "f", kind: "binary", score: Double(input.step), signed: 0, layer: 0, state: "c", index: 0)
      ]
    }
    try trainer.run(outPath: nil)
    let seen = calls.seen.withLock { $0 }
    // Every 5 steps, and the final evaluation at step 12.
    #expect(seen.map(\.step) == [5, 10, 12])
    #expect(trainer.record.emergence?.map(\.step) == [5, 10, 12])
    #expect(trainer.record.emergence?.map { $0.features[0].score } == [5, 10, 12])
    // 1440 characters, 64 per batch: 22 batches, the 20th (index 19) is the only
    // validation batch, 16 characters per stream; the first 40 are streams 0, 1
    // and half of 2, each starting at stream b's offset 22·16·b + 19·16.
    let tokens = try trainer.vocabulary.encode(Self.text)
    var expected: [Int32] = []
    for b in 0..<3 { expected += tokens[(352 * b + 304)..<(352 * b + 320)] }
    for call in seen { #expect(call.tokens == Array(expected.prefix(40))) }
  }

  @Test func anEmptyProbeResultAddsNoPoint() throws {
    let trainer = try Trainer(text: Self.text, textName: "r.txt", options: Self.fixtureOptions())
    trainer.evaluationProbe = { _ in [] }
    try trainer.run(outPath: nil)
    #expect(trainer.record.emergence == nil)
  }

  @Test func aCheckpointFromBeforeTheProbeLoadsWithoutHistory() throws {
    let old = try Checkpoint.load(path: Self.fixturePath)
    #expect(old.training?.emergence == nil)
    #expect(old.training?.evaluations.map(\.step) == [5, 10])
    // And it resumes, the probe now adding to the history.
    var o = Self.fixtureOptions()
    o.maxSteps = 15
    let trainer = try Trainer(text: Self.text, textName: "r.txt", options: o, resume: old)
    trainer.evaluationProbe = { input in
      [
        FeatureEmergence(
          feature: "f", kind: "graded", score: 0.5, signed: -0.5, layer: 0, state: "h", index: 3)
      ]
    }
    try trainer.run(outPath: nil)
    #expect(trainer.record.emergence?.map(\.step) == [15])
  }

  @Test func withoutTheProbeTheCheckpointBytesAreThoseOfTheCodeBeforeIt() throws {
    // The fixture was written by the binary built before the probe existed, on the
    // development machine; the kernels are deterministic, so the same options
    // and text give the same bytes.
    let dir = CheckpointTests.tempDir()
    let trainer = try Trainer(text: Self.text, textName: "r.txt", options: Self.fixtureOptions())
    try trainer.run(outPath: dir + "/m.safetensors")
    let now = FileManager.default.contents(atPath: dir + "/m.safetensors")
    let before = FileManager.default.contents(atPath: Self.fixturePath)
    #expect(now != nil && now == before)
  }

  @Test func theProbeChangesNothingButTheHistory() throws {
    let dir = CheckpointTests.tempDir()
    let plain = try Trainer(text: Self.text, textName: "r.txt", options: Self.fixtureOptions())
    try plain.run(outPath: dir + "/plain.safetensors")
    let probed = try Trainer(text: Self.text, textName: "r.txt", options: Self.fixtureOptions())
    probed.evaluationProbe = { input in
      [
        FeatureEmergence(
          feature: "f", kind: "binary", score: 0.75, signed: 0.25, layer: 0, state: "c", index: 1)
      ]
    }
    try probed.run(outPath: dir + "/probed.safetensors")
    var loaded = try Checkpoint.load(path: dir + "/probed.safetensors")
    #expect(loaded.training?.emergence?.count == 2)
    #expect(loaded.training?.emergence?.first?.features.first?.signed == 0.25)
    loaded.training?.emergence = nil
    try loaded.save(to: dir + "/stripped.safetensors")
    #expect(
      FileManager.default.contents(atPath: dir + "/stripped.safetensors")
        == FileManager.default.contents(atPath: dir + "/plain.safetensors"))
  }
}
