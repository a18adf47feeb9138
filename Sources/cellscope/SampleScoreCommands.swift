import ArgumentParser
import CharLSTM
import Foundation
import Pipeline

struct SampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sample", abstract: "Generate text from a model.")

  @OptionGroup var model: ModelArgument
  @Option(help: "Characters to generate.") var length = 2000
  @Option(help: "Softmax temperature (> 0); lower is more conservative.") var temperature = 1.0
  @Option(help: "Text to start from; every character must be in the vocabulary.") var prime = ""
  @OptionGroup var seed: SeedOption
  @Flag(help: "Always take the most likely character.") var argmax = false
  @Option(help: "Print only generated lines that do not occur in this text file.") var exclude: String?

  func validate() throws {
    guard temperature > 0 else { throw ValidationError("--temperature must be greater than 0.") }
    guard length >= 0 else { throw ValidationError("--length must not be negative.") }
  }

  func run() throws {
    let checkpoint = try Checkpoint.load(path: model.model)
    let text = try Sampler(checkpoint: checkpoint).sample(
      length: length, temperature: temperature, prime: prime, seed: seed.seed ?? 1, argmax: argmax)
    if let exclude {
      let known = try readText(path: exclude)
      let generated = String(text.dropFirst(prime.count))
      for line in Sampler.novelLines(generated, excluding: known) { print(line) }
    } else {
      print(text)
    }
  }
}

struct ScoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "score",
    abstract: "Cross-entropy of a text under a model: nats and bits per character, perplexity.")

  @OptionGroup var model: ModelArgument
  @OptionGroup var input: TextInput
  @Flag(help: "Print one TSV line per predicted character: position, character, loss in nats.") var perChar =
    false
  @OptionGroup var precision: PrecisionOption

  func run() throws {
    let checkpoint = try Checkpoint.load(path: model.model)
    let body = try LoadedText.read(input.path, bytes: checkpoint.vocabulary.kind == .bytes).text
    let scorer = Scorer(checkpoint: checkpoint, precision: precision.value)
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
