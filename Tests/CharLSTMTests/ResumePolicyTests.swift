import CharLSTM
import Foundation
import Testing

/// `--resume` keeps the checkpoint's shape, split and optimisation options and
/// refuses an explicitly different one; stopping options come from the request.
struct ResumePolicyTests {
  @Test func theTwoListsCoverEveryOptionOnce() {
    let properties = Mirror(reflecting: TrainingOptions()).children.compactMap(\.label)
    let listed = TrainingOptions.fixedOnResume + TrainingOptions.chosenOnResume
    #expect(Set(listed) == Set(properties))
    #expect(listed.count == properties.count)
  }

  @Test func aGivenDifferentFixedOptionIsRefusedNamingBothValues() throws {
    var stored = TrainingOptions()
    stored.rnnSize = 16
    var requested = TrainingOptions()
    requested.rnnSize = 8
    #expect(throws: CellscopeError.resumeConflict(option: "rnnSize", stored: "16", requested: "8")) {
      try TrainingOptions.resumed(from: stored, requested: requested, given: ["rnnSize"])
    }
    requested.optimizer = .adam
    #expect(throws: CellscopeError.resumeConflict(option: "optimizer", stored: "rmsprop", requested: "adam"))
    {
      try TrainingOptions.resumed(from: stored, requested: requested, given: ["optimizer", "maxSteps"])
    }
    stored.initUniform = nil
    requested.initUniform = 0.1
    #expect(throws: CellscopeError.resumeConflict(option: "initUniform", stored: "none", requested: "0.1")) {
      try TrainingOptions.resumed(from: stored, requested: requested, given: ["initUniform"])
    }
  }

  @Test func theSameValueGivenOrAFixedOptionNotGivenKeepsTheStoredOne() throws {
    var stored = TrainingOptions()
    stored.rnnSize = 16
    stored.learningRate = 0.01
    stored.maxSteps = 100
    stored.evalEvery = 7
    var requested = TrainingOptions()
    requested.rnnSize = 16
    requested.learningRate = 0.5  // not given: a default the user did not type
    requested.maxSteps = 300
    requested.evalEvery = 50
    let merged = try TrainingOptions.resumed(
      from: stored, requested: requested, given: ["rnnSize", "maxSteps", "evalEvery"])
    #expect(merged.rnnSize == 16)
    #expect(merged.learningRate == 0.01)
    #expect(merged.maxSteps == 300)
    #expect(merged.evalEvery == 50)
  }

  @Test func theTrainerRefusesAGivenShapeChangeAndTakesTheStoppingOptions() throws {
    let saved = try CheckpointSafetyTests.trained()
    var requested = CheckpointSafetyTests.options()
    requested.batchSize = 3
    #expect(throws: CellscopeError.resumeConflict(option: "batchSize", stored: "2", requested: "3")) {
      try Trainer(
        text: CheckpointSafetyTests.text, textName: "t.txt", options: requested, resume: saved,
        given: ["batchSize"])
    }
    // Without `given` (older callers) the checkpoint's value wins silently.
    requested.maxSteps = 5
    let trainer = try Trainer(
      text: CheckpointSafetyTests.text, textName: "t.txt", options: requested, resume: saved)
    #expect(trainer.options.batchSize == 2)
    #expect(trainer.options.maxSteps == 5)
  }
}
