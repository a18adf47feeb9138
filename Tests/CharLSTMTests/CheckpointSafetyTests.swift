import CharLSTM
import Foundation
import Testing

/// Hostile and inconsistent checkpoints: each must give one `corruptCheckpoint`
/// sentence before anything is sized from its claims, never a trap or a huge
/// allocation (issue 11).
struct CheckpointSafetyTests {
  static let text = String(repeating: "the cat sat on the mat. ", count: 20)

  static func options() -> TrainingOptions {
    var o = TrainingOptions()
    o.rnnSize = 6
    o.numLayers = 2
    o.batchSize = 2
    o.seqLength = 8
    o.maxSteps = 2
    o.evalEvery = 100
    o.sampleLength = 5
    return o
  }

  /// A small trained checkpoint with training state, optimizer and carried state.
  static func trained(_ o: TrainingOptions = options()) throws -> Checkpoint {
    let trainer = try Trainer(text: text, textName: "t.txt", options: o)
    try trainer.run(outPath: nil)
    return trainer.checkpoint()
  }

  /// `bytes` with a metadata entry's JSON edited.
  static func editing(_ bytes: [UInt8], _ key: String, _ edit: (inout [String: Any]) -> Void) throws
    -> [UInt8]
  {
    var st = try SafeTensors.parse(bytes, name: "x")
    var object = try #require(
      try JSONSerialization.jsonObject(with: Data(st.metadata[key]!.utf8)) as? [String: Any])
    edit(&object)
    st.metadata[key] = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    return st.serialized()
  }

  /// The reason of the `corruptCheckpoint` that loading `bytes` throws.
  static func reason(_ bytes: [UInt8]) -> String? {
    do {
      _ = try Checkpoint(bytes: bytes, name: "m.safetensors")
      return nil
    } catch CellscopeError.corruptCheckpoint(_, let why) {
      return why
    } catch {
      return "wrong error: \(error)"
    }
  }

  @Test func optionsThatDisagreeWithTheConfigAreRejectedAtLoad() throws {
    let good = try Self.trained().serialized()
    #expect(Self.reason(good) == nil)
    let cases: [(String, Any, String)] = [
      ("rnnSize", 3, "rnnSize 3 but its config has hidden size 6"),
      ("numLayers", 1, "numLayers 1 but its config has layers 2"),
      ("embeddingSize", 4, "embeddingSize 4"),
      // The carried state (L, B, H) was saved with B = 2.
      ("batchSize", 3, "train.h has shape [2, 2, 6], expected [2, 3, 6]"),
      ("bytes", true, "bytes true"),
      ("seqLength", 0, "seqLength 0"),
      ("batchSize", Int.max, "batchSize"),
      ("learningRate", -1.0, "learningRate"),
      ("checkpointEvery", 0, "checkpointEvery"),
    ]
    for (key, value, expected) in cases {
      let bad = try Self.editing(good, "training") { t in
        var o = t["options"] as! [String: Any]
        o[key] = value
        t["options"] = o
      }
      let why = Self.reason(bad)
      #expect(why?.contains(expected) == true, "\(key) = \(value): \(why ?? "loaded")")
    }
  }

  @Test func aNegativeStepOrNonFiniteHistoryIsRejected() throws {
    let good = try Self.trained().serialized()
    let negative = try Self.editing(good, "training") { $0["step"] = -5 }
    #expect(Self.reason(negative)?.contains("training step is -5") == true)
    let c = try Self.trained()
    var record = c.training!
    #expect(record.problem(config: c.config, vocabulary: c.vocabulary) == nil)
    record.trainLoss[0] = .nan
    #expect(record.problem(config: c.config, vocabulary: c.vocabulary)?.contains("NaN") == true)
  }

  /// Before the fix the trainer sized its network from the stored options and
  /// copied the checkpoint's parameters past its end (`malloc(): invalid size`).
  @Test func resumingAnInconsistentInMemoryCheckpointThrowsInsteadOfCorruptingMemory() throws {
    var c = try Self.trained()
    c.training!.options.rnnSize = 3  // the config and tensors say 6
    #expect(throws: CellscopeError.self) {
      try Trainer(text: Self.text, textName: "t.txt", options: Self.options(), resume: c)
    }
    var d = try Self.trained()
    d.training!.step = -5
    #expect(throws: CellscopeError.self) {
      try Trainer(text: Self.text, textName: "t.txt", options: Self.options(), resume: d)
    }
    var e = try Self.trained()
    e.parameters.removeLast(7)
    #expect(throws: CellscopeError.self) {
      try Trainer(text: Self.text, textName: "t.txt", options: Self.options(), resume: e)
    }
  }

  /// A 10 KB file whose config claims 8192 cells in 16 layers must be refused
  /// from its tensors before the 33 GB parameter buffer is allocated.
  @Test func aHugeClaimedConfigIsRefusedBeforeAllocating() throws {
    // Without training metadata (an exported model), so the tensors are what refuse it.
    let good = try CheckpointTests.smallCheckpoint().serialized()
    let bad = try Self.editing(good, "config") {
      $0["hidden_size"] = 8192
      $0["num_layers"] = 16
    }
    #expect(bad.count < 20_000)
    let start = ContinuousClock.now
    let why = Self.reason(bad)
    #expect(why?.contains("tensor") == true, "\(why ?? "loaded")")
    #expect(ContinuousClock.now - start < .seconds(2))
  }

  @Test func weightsBeyondTheMagnitudeBoundAreRefused() throws {
    var c = try Self.trained()
    c.parameters[3] = 3e38
    let why = Self.reason(try c.serialized())
    #expect(why?.contains("beyond the largest magnitude") == true, "\(why ?? "loaded")")
    var state = try Self.trained()
    state.carriedState!.c[0] = .infinity
    #expect(Self.reason(try state.serialized())?.contains("train.c") == true)
  }

  @Test func aPartialOptimizerStateIsRefused() throws {
    var st = try SafeTensors.parse(try Self.trained().serialized(), name: "x")
    st.tensors["optimizer.decoder.bias.square_avg"] = nil
    #expect(Self.reason(st.serialized())?.contains("optimizer state is incomplete") == true)
  }

  @Test func configErrorsAreWordedForTheFileNotTheCommandLine() throws {
    let good = try Self.trained().serialized()
    let bad = try Self.editing(good, "config") { $0["hidden_size"] = 0 }
    do {
      _ = try Checkpoint(bytes: bad, name: "m.safetensors")
      Issue.record("loaded a config with hidden size 0")
    } catch {
      let message = "\(error)"
      #expect(message.contains("its config has hidden size 0; it must be between 1 and 8192"), "\(message)")
      #expect(!message.contains("--"))
      #expect(!message.contains(".."))
    }
  }

  @Test func reasonsEndingInAFullStopDoNotGiveTwo() {
    let errors: [CellscopeError] = [
      .corruptCheckpoint("m", reason: "its config is invalid: something must be positive."),
      .unreadableFile("t", reason: "gone."), .invalidOption("--x must be positive."),
      .invalidModelConfig(property: "hiddenSize", problem: "hidden size 0; it must be at least 1."),
    ]
    for e in errors {
      #expect(e.description.hasSuffix(".") && !e.description.hasSuffix(".."), "\(e.description)")
    }
  }

  @Test func jsonEncodingOfNonFiniteFiguresThrowsInsteadOfTrapping() throws {
    #expect(throws: CellscopeError.self) { try encodeJSON([1.0, Double.nan]) }
    var c = try Self.trained()
    c.training!.bestValLoss = .infinity
    #expect(throws: CellscopeError.self) { try c.serialized() }
  }
}
