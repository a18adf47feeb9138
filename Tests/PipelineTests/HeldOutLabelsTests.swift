import CharLSTM
import Foundation
import Interpretability
import Pipeline
import Testing

/// A labels file written for the whole training text follows the held-out cut (one piece per training
/// stream) and `--max-chars`: each analysed character gets its own label.
struct HeldOutLabelsTests {
  static let vowels: Set<Unicode.Scalar> = ["a", "e", "i", "o", "u"]

  /// One label per character of `text`: "v" for a vowel, "c" otherwise.
  static func labels(_ text: String) -> String {
    text.unicodeScalars.map { vowels.contains($0) ? "v" : "c" }.joined(separator: "\n") + "\n"
  }

  static func job(dir: String, maxChars: Int = 0) throws -> AnalyzeJob {
    let spec = """
      features:
        - id: lab
          name: vowel labels
          kind: labels
          file: \(dir)/labels.txt
      """
    try spec.write(toFile: dir + "/features.yaml", atomically: true, encoding: .utf8)
    var job = AnalyzeJob()
    job.heldOut = true
    job.maxChars = maxChars
    job.featuresFile = dir + "/features.yaml"
    job.control = false
    job.ablation = .none
    job.recorder.mode = .exact
    return job
  }

  /// Labels for the whole file, or for the analysed text itself (the held-out split, before any prefix).
  @Test(arguments: [(0, true), (150, true), (0, false)])
  func labelsFollowTheHeldOutCut(maxChars: Int, forWholeFile: Bool) throws {
    let dir = PipelineJobTests.tempDir()
    let text = try PipelineJobTests.textFile(in: dir)
    _ = try TrainJob(options: PipelineJobTests.tinyOptions(steps: 3), model: dir + "/m.safetensors").run(
      text: text, progress: Recorded())
    let checkpoint = try Checkpoint.load(path: dir + "/m.safetensors")
    let labelled = forWholeFile ? text.text : try HeldOut.text(text.text, checkpoint: checkpoint)
    try Self.labels(labelled).write(toFile: dir + "/labels.txt", atomically: true, encoding: .utf8)
    let analysis = try Self.job(dir: dir, maxChars: maxChars).run(
      checkpoint, text: text, progress: Recorded())
    // The analysed text, cut independently: the held-out split, then the prefix.
    var analysed = Array(try HeldOut.text(text.text, checkpoint: checkpoint).unicodeScalars)
    if maxChars > 0 { analysed = Array(analysed.prefix(maxChars)) }
    #expect(analysis.textCharacters == analysed.count)
    let feature = try #require(analysis.features.first { $0.id == "lab_v" })
    // Aligned labels are a function of the current character: the character baseline separates them
    // perfectly, and their mean is the analysed text's share of vowels.
    #expect(feature.characterBaseline == 1)
    let share = Double(analysed.filter { Self.vowels.contains($0) }.count) / Double(analysed.count)
    #expect(abs(feature.mean - share) < 1e-12)
  }

  @Test func labelsMatchingNeitherNameBothCounts() throws {
    let dir = PipelineJobTests.tempDir()
    let text = try PipelineJobTests.textFile(in: dir)
    try "v\nc\n".write(toFile: dir + "/labels.txt", atomically: true, encoding: .utf8)
    _ = try TrainJob(options: PipelineJobTests.tinyOptions(steps: 3), model: dir + "/m.safetensors").run(
      text: text, progress: Recorded())
    let checkpoint = try Checkpoint.load(path: dir + "/m.safetensors")
    do {
      _ = try Self.job(dir: dir).run(checkpoint, text: text, progress: Recorded())
      Issue.record("two labels for the text were accepted")
    } catch let error as FeatureFileError {
      let whole = text.text.unicodeScalars.count
      #expect("\(error)".contains("the whole file \(whole)"))
    }
  }

  /// Lines of 37-97 characters, so that the held-out pieces start in the middle of lines.
  static let longLines: String = {
    var rng = SeededGenerator(seed: 21)
    var out = ""
    while out.count < 2400 {
      let n = 37 + rng.below(61)
      out += String((0..<n).map { _ in Character(Unicode.Scalar(UInt8(97 + rng.below(26)))) }) + "\n"
    }
    return out
  }()

  /// Built-in features read the file, not the joined pieces: the column of each analysed character is
  /// its column in the file (on the joined text it would run on from the piece before).
  @Test func builtInFeaturesReadTheFileAcrossJoins() throws {
    let dir = PipelineJobTests.tempDir()
    let text = try PipelineJobTests.textFile(in: dir, Self.longLines)
    _ = try TrainJob(options: PipelineJobTests.tinyOptions(steps: 3), model: dir + "/m.safetensors").run(
      text: text, progress: Recorded())
    let checkpoint = try Checkpoint.load(path: dir + "/m.safetensors")
    var job = AnalyzeJob()
    job.heldOut = true
    job.control = false
    job.ablation = .none
    let analysis = try job.run(checkpoint, text: text, progress: Recorded())
    // The pieces, from the training record's split written out here: stream b's held-out part is its
    // last (batches − first held-out batch) · T characters.
    let o = try #require(checkpoint.training).options
    let file = Array(text.text.unicodeScalars)
    let batches = (file.count - 1) / (o.batchSize * o.seqLength), streamLength = batches * o.seqLength
    let validation = o.valFrac > 0 ? max(1, Int(Double(batches) * o.valFrac)) : 0
    let trainBatches = min(Int(Double(batches) * o.trainFrac), batches - validation)
    var columns: [Double] = [], joinedColumns: [Double] = []
    var column = 0, joined = 0
    var fileColumn = [Int](repeating: 0, count: file.count)
    for (i, c) in file.enumerated() {
      fileColumn[i] = column
      column = c == "\n" ? 0 : column + 1
    }
    for b in 0..<o.batchSize {
      for i in (b * streamLength + trainBatches * o.seqLength)..<((b + 1) * streamLength) {
        columns.append(Double(fileColumn[i]))
        joinedColumns.append(Double(joined))
        joined = file[i] == "\n" ? 0 : joined + 1
      }
    }
    #expect(analysis.textCharacters == columns.count)
    let feature = try #require(analysis.features.first { $0.id == "line_position" })
    let mean = columns.reduce(0, +) / Double(columns.count)
    #expect(abs(feature.mean - mean) < 1e-9)
    // The case this guards: on the joined text the columns differ.
    #expect(abs(joinedColumns.reduce(0, +) / Double(joinedColumns.count) - mean) > 0.5)
  }
}
