import CharLSTM
import Foundation
import Interpretability
import Pipeline
import Report
import Testing

/// Collects a job's events so tests can check what it reported, and in what order.
final class Recorded: ProgressSink, @unchecked Sendable {
  var events: [ProgressEvent] = []
  func event(_ e: ProgressEvent) { events.append(e) }

  var trainingStarted: Bool {
    events.contains {
      if case .training(.started) = $0 { return true }
      return false
    }
  }
  var notes: [String] {
    events.compactMap {
      if case .note(let s) = $0 { return s }
      return nil
    }
  }
}

/// The library's jobs, run directly (no executable): outputs checked before
/// work, Ctrl-C honoured in every phase, progress reported with rates.
struct PipelineJobTests {
  static func tempDir() -> String {
    let dir = NSTemporaryDirectory() + "cellscope-pipeline-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static func tinyOptions(steps: Int = 6) -> TrainingOptions {
    var o = TrainingOptions()
    o.rnnSize = 8
    o.numLayers = 1
    o.batchSize = 2
    o.seqLength = 8
    o.evalEvery = 3
    o.maxSteps = steps
    return o
  }

  static let corpus = String(repeating: "one \"two\" three (four) five. ", count: 40)

  static func textFile(in dir: String, _ body: String = corpus) throws -> LoadedText {
    try body.write(toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
    return try LoadedText.read(dir + "/t.txt", bytes: false)
  }

  static func report(in dir: String, out: String = "site") -> ReportJob {
    var job = ReportJob()
    job.out = dir + "/" + out
    job.site.topCells = 2
    return job
  }

  @Test func trainRefusesToWriteOverItsOwnText() throws {
    let dir = Self.tempDir()
    let text = try Self.textFile(in: dir)
    let sink = Recorded()
    #expect(throws: CellscopeError.self) {
      _ = try TrainJob(options: Self.tinyOptions(), model: text.path).run(text: text, progress: sink)
    }
    #expect(try String(contentsOfFile: text.path, encoding: .utf8) == Self.corpus)
    #expect(!sink.trainingStarted)
  }

  @Test func trainRefusesAnExistingFolderBeforeTraining() throws {
    let dir = Self.tempDir()
    let text = try Self.textFile(in: dir)
    try FileManager.default.createDirectory(atPath: dir + "/m", withIntermediateDirectories: false)
    let sink = Recorded()
    #expect(throws: CellscopeError.self) {
      _ = try TrainJob(options: Self.tinyOptions(), model: dir + "/m").run(text: text, progress: sink)
    }
    #expect(!sink.trainingStarted)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["m", "t.txt"])
  }

  @Test func interruptedTrainingSavesWhereItStoppedAndSaysSo() throws {
    let dir = Self.tempDir()
    let text = try Self.textFile(in: dir)
    var asked = 0
    let outcome = try TrainJob(options: Self.tinyOptions(steps: 50), model: dir + "/m.safetensors").run(
      text: text, progress: Recorded(),
      shouldStop: {
        asked += 1
        return asked > 2
      })
    #expect(outcome.interrupted)
    #expect(outcome.record.step < 50)
    let saved = try Checkpoint.load(path: dir + "/m.safetensors")
    #expect(saved.training?.step == outcome.record.step)
  }

  @Test func resumeSaysWhichOptionsComeFromWhere() throws {
    let dir = Self.tempDir()
    let text = try Self.textFile(in: dir)
    _ = try TrainJob(options: Self.tinyOptions(steps: 3), model: dir + "/m.safetensors").run(
      text: text, progress: Recorded())
    // A different model shape, given explicitly, is refused before any training.
    var different = Self.tinyOptions(steps: 6)
    different.rnnSize = 16
    var refused = TrainJob(options: different, model: dir + "/n.safetensors")
    refused.resume = dir + "/m.safetensors"
    refused.givenOptions = ["rnnSize"]
    #expect {
      try refused.run(text: text, progress: Recorded())
    } throws: { error in
      guard case .resumeConflict(let option, _, let requested) = error as? CellscopeError else {
        return false
      }
      return option == "rnnSize" && requested == "16"
    }
    #expect(!FileManager.default.fileExists(atPath: dir + "/n.safetensors"))
    // The same values given, and new stopping options: the plan says where each comes from.
    var job = TrainJob(options: Self.tinyOptions(steps: 6), model: dir + "/n.safetensors")
    job.resume = dir + "/m.safetensors"
    job.givenOptions = ["rnnSize", "maxSteps", "numLayers"]
    let sink = Recorded()
    _ = try job.run(text: text, progress: sink)
    let plans = sink.events.compactMap {
      if case .resuming(let p) = $0 { return p }
      return nil
    }
    #expect(plans.count == 1)
    #expect(plans.first?.fromCommandLine.contains("maxSteps") == true)
    #expect(plans.first?.fromCheckpoint.contains("rnnSize") == true)
    #expect(plans.first?.fromCheckpoint.contains("maxSteps") == false)
  }

  @Test func analysisReportsEachPassWithRateAndETA() throws {
    let dir = Self.tempDir()
    let text = try Self.textFile(in: dir, String(repeating: "ab \"cd\" (ef) gh. ", count: 1500))
    _ = try TrainJob(options: Self.tinyOptions(steps: 2), model: dir + "/m.safetensors").run(
      text: text, progress: Recorded())
    let checkpoint = try Checkpoint.load(path: dir + "/m.safetensors")
    let sink = Recorded()
    var job = AnalyzeJob()
    job.displayCells = 3
    let analysis = try job.run(checkpoint, text: text, progress: sink)
    let advanced = sink.events.compactMap { e -> (String, Int, Int, Double, Double)? in
      if case .advanced(let p, let d, let t, let r, let eta) = e { return (p, d, t, r, eta) }
      return nil
    }
    let total = text.text.unicodeScalars.count
    // The analysis's two passes, then the control's recording and the ablations.
    #expect(Set(advanced.map(\.0)) == ["recording", "windows", "control: recording", "ablation"])
    // Each phase counts what it reads: the recordings the whole text, the window pass the stretches
    // around its windows, the ablations their budget (two passes of rows at most here).
    #expect(advanced.allSatisfy { $0.1 <= $0.2 })
    #expect(advanced.filter { $0.0.hasSuffix("recording") }.allSatisfy { $0.2 == total })
    #expect(advanced.filter { $0.0 == "windows" }.allSatisfy { $0.2 > 0 && $0.2 <= total })
    let ablated = try #require(analysis.ablation?.characters)
    #expect(ablated == 10_000 && total > 10_000)
    #expect(advanced.filter { $0.0 == "ablation" }.allSatisfy { $0.2 == ablated })
    // After a phase's first report the rate is measured and the ETA finite.
    let recording = advanced.filter { $0.0 == "recording" }
    #expect(recording.count >= 2)
    #expect(recording.dropFirst().allSatisfy { $0.3 > 0 && $0.4.isFinite && $0.4 >= 0 })
    let finished = sink.events.filter {
      if case .phaseFinished = $0 { return true }
      return false
    }
    #expect(finished.count == 4)
  }

  @Test func interruptedReportWritesNothing() throws {
    let dir = Self.tempDir()
    let text = try Self.textFile(in: dir)
    _ = try TrainJob(options: Self.tinyOptions(steps: 3), model: dir + "/m.safetensors").run(
      text: text, progress: Recorded())
    let checkpoint = try Checkpoint.load(path: dir + "/m.safetensors")
    // Stop at the first, second and third question: before, after the analysis, after sampling.
    for stopAt in 1...3 {
      var asked = 0
      let job = Self.report(in: dir)
      #expect(throws: JobInterrupted.self) {
        _ = try job.run(
          checkpoint, modelPath: dir + "/m.safetensors", text: text, progress: Recorded(),
          shouldStop: {
            asked += 1
            return asked >= stopAt
          })
      }
      #expect(!FileManager.default.fileExists(atPath: dir + "/site"), "stop at \(stopAt)")
    }
  }

  @Test func runChecksTheSiteFolderBeforeTraining() throws {
    let dir = Self.tempDir()
    let text = try Self.textFile(in: dir)
    _ = FileManager.default.createFile(atPath: dir + "/site", contents: Data("mine".utf8))
    let sink = Recorded()
    let job = RunJob(
      train: TrainJob(options: Self.tinyOptions(), model: dir + "/m.safetensors"),
      report: Self.report(in: dir))
    #expect(throws: CellscopeError.self) { _ = try job.run(text: text, progress: sink) }
    #expect(!sink.trainingStarted)
    #expect(!FileManager.default.fileExists(atPath: dir + "/m.safetensors"))
    #expect(FileManager.default.contents(atPath: dir + "/site") == Data("mine".utf8))
  }

  @Test func runHonoursCtrlCInItsReportPhase() throws {
    let dir = Self.tempDir()
    let text = try Self.textFile(in: dir)
    let sink = Recorded()
    let job = RunJob(
      train: TrainJob(options: Self.tinyOptions(), model: dir + "/m.safetensors"),
      report: Self.report(in: dir))
    // Ctrl-C arrives once training is over, when the held-out split is announced.
    #expect(throws: JobInterrupted.self) {
      _ = try job.run(
        text: text, progress: sink,
        shouldStop: { sink.notes.contains { $0.hasPrefix("analysing the held-out") } })
    }
    #expect(FileManager.default.fileExists(atPath: dir + "/m.safetensors"))
    #expect(!FileManager.default.fileExists(atPath: dir + "/site"))
  }

  @Test func runReportsOnTheHeldOutSplitOnly() throws {
    let dir = Self.tempDir()
    let text = try Self.textFile(in: dir)
    let outcome = try RunJob(
      train: TrainJob(options: Self.tinyOptions(), model: dir + "/m.safetensors"),
      report: Self.report(in: dir)
    ).run(text: text, progress: Recorded())
    let analysed = try #require(outcome.analysis).model.characters
    // 1200 characters, batches of 2 x 8: 75 batches, 90 % train, so at most about
    // a tenth (plus the ragged end) is held out.
    #expect(analysed > 0 && analysed < text.text.count / 5)
    #expect(FileManager.default.fileExists(atPath: dir + "/site/index.html"))
  }

  @Test func theSamplingRecipeIsThreeTemperaturesAndArgmax() throws {
    let dir = Self.tempDir()
    let text = try Self.textFile(in: dir)
    _ = try TrainJob(options: Self.tinyOptions(steps: 2), model: dir + "/m.safetensors").run(
      text: text, progress: Recorded())
    let checkpoint = try Checkpoint.load(path: dir + "/m.safetensors")
    let samples = try SamplingRecipe.samples(checkpoint)
    #expect(samples.map(\.label) == ["temperature 0.2", "temperature 0.5", "temperature 1.0", "argmax"])
    #expect(samples.map(\.temperature) == [0.2, 0.5, 1.0, nil])
    // Without a prime the sampler starts from one random character, then generates 600.
    #expect(samples.allSatisfy { $0.text.unicodeScalars.count == 601 })
    #expect(try SamplingRecipe.samples(checkpoint) == samples)
  }
}
