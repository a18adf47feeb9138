import ArgumentParser
import CharLSTM
import Foundation

struct SampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sample", abstract: "Generate text from a model.")

  @Argument(help: "A cellscope checkpoint (.safetensors).") var model: String
  @Option(help: "Characters to generate.") var length = 2000
  @Option(help: "Softmax temperature (> 0); lower is more conservative.") var temperature = 1.0
  @Option(help: "Text to start from; every character must be in the vocabulary.") var prime = ""
  @Option(help: "Random seed; the same seed gives the same text.") var seed: UInt64 = 1
  @Flag(help: "Always take the most likely character.") var argmax = false
  @Option(help: "Print only generated lines that do not occur in this text file.") var exclude: String?

  func validate() throws {
    guard temperature > 0 else { throw ValidationError("--temperature must be greater than 0.") }
    guard length >= 0 else { throw ValidationError("--length must not be negative.") }
  }

  func run() throws {
    try runReportingErrors {
      let checkpoint = try Checkpoint.load(path: model)
      let text = try Sampler(checkpoint: checkpoint).sample(
        length: length, temperature: temperature, prime: prime, seed: seed, argmax: argmax)
      if let exclude {
        let known = try readText(path: exclude)
        let generated = String(text.dropFirst(prime.count))
        for line in Sampler.novelLines(generated, excluding: known) { print(line) }
      } else {
        print(text)
      }
    }
  }
}

struct ScoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "score",
    abstract: "Cross-entropy of a text under a model: nats and bits per character, perplexity.")

  @Argument(help: "A cellscope checkpoint (.safetensors).") var model: String
  @Argument(help: "UTF-8 text file to score.") var text: String
  @Flag(help: "Print one TSV line per predicted character: position, character, loss in nats.") var perChar =
    false

  func run() throws {
    try runReportingErrors {
      let checkpoint = try Checkpoint.load(path: model)
      let body = try readText(path: text, bytes: checkpoint.vocabulary.kind == .bytes)
      let scorer = Scorer(checkpoint: checkpoint)
      var lines: [String] = []
      if perChar { print("position\tcharacter\tnats") }
      let score = try scorer.score(body) { position, symbol, nats in
        guard perChar else { return }
        lines.append(
          "\(position)\t\(checkpoint.vocabulary.describe(symbol))\t\(String(format: "%.6f", nats))")
        if lines.count >= 4096 {
          print(lines.joined(separator: "\n"))
          lines.removeAll(keepingCapacity: true)
        }
      }
      if !lines.isEmpty { print(lines.joined(separator: "\n")) }
      let summary = String(
        format: "%d characters predicted: %.4f nats/char, %.4f bits/char, perplexity %.3f", score.count,
        score.natsPerChar, score.bitsPerChar, score.perplexity)
      if perChar { log(summary) } else { print(summary) }
    }
  }
}
