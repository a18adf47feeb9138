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

  @Test(arguments: [0, 150])
  func wholeFileLabelsFollowTheHeldOutCut(maxChars: Int) throws {
    let dir = PipelineJobTests.tempDir()
    let text = try PipelineJobTests.textFile(in: dir)
    try Self.labels(text.text).write(toFile: dir + "/labels.txt", atomically: true, encoding: .utf8)
    _ = try TrainJob(options: PipelineJobTests.tinyOptions(steps: 3), model: dir + "/m.safetensors").run(
      text: text, progress: Recorded())
    let checkpoint = try Checkpoint.load(path: dir + "/m.safetensors")
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
}
