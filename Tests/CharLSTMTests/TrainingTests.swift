import CharLSTM
import Foundation
import Testing

struct TrainingTests {
  static func options(steps: Int) -> TrainingOptions {
    var o = TrainingOptions()
    o.rnnSize = 16
    o.numLayers = 2
    o.batchSize = 4
    o.seqLength = 16
    o.maxSteps = steps
    o.evalEvery = 20
    o.sampleLength = 20
    o.trainFrac = 0.8
    o.valFrac = 0.1
    o.learningRate = 1e-2
    return o
  }

  static let repeated = String(repeating: "the cat sat on the mat. ", count: 60)

  @Test func lossOnARepeatedStringFallsFast() throws {
    let trainer = try Trainer(text: Self.repeated, textName: "r.txt", options: Self.options(steps: 150))
    try trainer.run(outPath: nil)
    let r = trainer.record
    // ln(13 characters) = 2.56 nats at the start; a memorised 24-character cycle is far below 1.
    #expect(Double(r.trainLoss.first!) > 2.2)
    #expect(r.bestValLoss! < 0.5, "validation loss \(r.bestValLoss!)")
    #expect(r.evaluations.count >= 7)
    #expect(r.samples.count == r.evaluations.count)
  }

  @Test func sameSeedGivesSameLossesAndSameCheckpointBytes() throws {
    let dir = CheckpointTests.tempDir()
    var bytes: [[UInt8]] = []
    for run in 0..<2 {
      let trainer = try Trainer(text: Self.repeated, textName: "r.txt", options: Self.options(steps: 30))
      try trainer.run(outPath: dir + "/m\(run).safetensors")
      bytes.append([UInt8](FileManager.default.contents(atPath: dir + "/m\(run).safetensors")!))
    }
    #expect(bytes[0] == bytes[1])
    var other = Self.options(steps: 30)
    other.seed = 9
    let trainer = try Trainer(text: Self.repeated, textName: "r.txt", options: other)
    #expect(try trainer.checkpoint().serialized() != bytes[0])
  }

  /// Training 40 steps in one go equals 20 steps, save, load, resume for 20 more.
  @Test(arguments: [Optimizer.Kind.rmsprop, .adam])
  func resumeContinuesExactly(_ kind: Optimizer.Kind) throws {
    let dir = CheckpointTests.tempDir()
    var o = Self.options(steps: 40)
    o.optimizer = kind
    o.dropout = 0.2
    o.evalEvery = 100
    let whole = try Trainer(text: Self.repeated, textName: "r.txt", options: o)
    try whole.run(outPath: nil)
    var half = o
    half.maxSteps = 20
    let first = try Trainer(text: Self.repeated, textName: "r.txt", options: half)
    try first.run(outPath: dir + "/half.safetensors")
    let saved = try Checkpoint.load(path: dir + "/half.safetensors")
    let second = try Trainer(text: Self.repeated, textName: "r.txt", options: o, resume: saved)
    try second.run(outPath: nil)
    #expect(second.record.trainLoss == whole.record.trainLoss)
    #expect(second.network.params.array == whole.network.params.array)
  }

  @Test func resumingOnTextWithOtherCharactersIsAClearError() throws {
    let trainer = try Trainer(text: Self.repeated, textName: "r.txt", options: Self.options(steps: 1))
    let saved = trainer.checkpoint()
    #expect {
      try Trainer(
        text: Self.repeated + "XYZ", textName: "r.txt", options: Self.options(steps: 2), resume: saved)
    } throws: { error in
      guard case .vocabularyMismatch(let why) = error as? CellscopeError else { return false }
      return why.contains("3 character")
    }
  }

  @Test func divergenceStopsWithAClearErrorAndKeepsTheLastGoodCheckpoint() throws {
    let dir = CheckpointTests.tempDir(), path = dir + "/m.safetensors"
    var o = Self.options(steps: 400)
    o.learningRate = 1e4
    o.gradClip = 0
    o.evalEvery = 1
    let trainer = try Trainer(text: Self.repeated, textName: "r.txt", options: o)
    #expect {
      try trainer.run(outPath: path)
    } throws: { error in
      guard case .diverged = error as? CellscopeError else { return false }
      return true
    }
    // What is on disk still loads and holds finite weights.
    let kept = try Checkpoint.load(path: path)
    #expect(kept.parameters.allSatisfy { $0.isFinite })
  }

  @Test func textTooShortForTheBatchShapeIsAClearError() {
    #expect(throws: CellscopeError.self) {
      try Trainer(text: "abc", textName: "t", options: Self.options(steps: 1))
    }
  }

  @Test func samplingIsDeterministicAndPrimeIsChecked() throws {
    let trainer = try Trainer(text: Self.repeated, textName: "r.txt", options: Self.options(steps: 250))
    try trainer.run(outPath: nil)
    let sampler = Sampler(checkpoint: trainer.checkpoint())
    let a = try sampler.sample(length: 50, temperature: 0.8, prime: "the ", seed: 3)
    let b = try sampler.sample(length: 50, temperature: 0.8, prime: "the ", seed: 3)
    #expect(a == b)
    #expect(a.hasPrefix("the "))
    #expect(a.unicodeScalars.count == 54)
    #expect(throws: CellscopeError.self) { try sampler.sample(length: 5, prime: "Q") }
    let greedy = try sampler.sample(length: 24, prime: "the cat ", argmax: true)
    #expect(greedy.hasPrefix("the cat sat on the mat."), "\(greedy)")
  }

  @Test func scoreAgreesWithANaiveSumOfLosses() throws {
    let trainer = try Trainer(text: Self.repeated, textName: "r.txt", options: Self.options(steps: 30))
    try trainer.run(outPath: nil)
    var scorer = Scorer(checkpoint: trainer.checkpoint())
    scorer.chunk = 7  // chunking must not matter
    let text = "the mat sat on the cat."
    var perChar: [Double] = []
    let s = try scorer.score(text) { _, _, nats in perChar.append(nats) }
    #expect(perChar.count == text.count - 1)
    #expect(abs(s.natsPerChar - perChar.reduce(0, +) / Double(perChar.count)) < 1e-12)
    scorer.chunk = 1000
    #expect(abs(try scorer.score(text).natsPerChar - s.natsPerChar) < 1e-5)
    #expect(abs(s.bitsPerChar - s.natsPerChar / log(2)) < 1e-12)
  }

  @Test func unicodeAndByteVocabularies() throws {
    let text = "naïve — 🙂"
    let u = try Vocabulary(text: text)
    #expect(u.count == Set(text.unicodeScalars.map(\.value)).count)
    #expect(u.decode(try u.encode(text)) == text)
    let b = try Vocabulary(text: text, kind: .bytes)
    #expect(b.count == Set(text.utf8).count)
    #expect(b.decode(try b.encode(text)) == text)
    #expect(u.symbols == u.symbols.sorted())
  }
}
