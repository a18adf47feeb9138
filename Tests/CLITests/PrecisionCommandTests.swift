import CharLSTM
import Foundation
import Testing

/// `--precision` as a user meets it (issue 15): the checkpoint records bf16
/// training and an fp32 one is written as before; a resumed run keeps the
/// checkpoint's precision; bf16 training does not depend on the thread count;
/// the readers and the bench take the flag.
struct PrecisionCommandTests {
  typealias CLI = CommandLineTests
  static let shape = [
    "--rnn-size", "40", "--num-layers", "2", "--batch-size", "6", "--seq-length", "10", "--eval-every", "5",
  ]

  static func textFolder() throws -> String {
    let dir = CLI.tempDir()
    let text = String(repeating: "one \"two\" three (four) five [[six]]. ", count: 40)
    try text.write(toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
    return dir
  }

  @Test(.enabled(if: Precision.bf16Supported, "this CPU has no AVX512-BF16"))
  func bf16IsRecordedAndKeptOnResume() throws {
    let dir = try Self.textFolder()
    for precision in ["fp32", "bf16"] {
      let r = try CLI.run(
        [
          "train", "t.txt", "--model", "\(precision).safetensors", "--max-steps", "10", "--precision",
          precision,
        ]
          + Self.shape, in: dir)
      #expect(r.status == 0, "\(r.stderr)")
    }
    let fp32 = try Checkpoint.load(path: dir + "/fp32.safetensors")
    let bf16 = try Checkpoint.load(path: dir + "/bf16.safetensors")
    #expect(fp32.training?.options.precision == nil)
    #expect(bf16.training?.options.precision == .bf16)
    // fp32 writes no precision at all (its bytes are those of a checkpoint from before).
    let raw = FileManager.default.contents(atPath: dir + "/fp32.safetensors") ?? Data()
    #expect(!String(decoding: raw.prefix(8192), as: UTF8.self).contains("precision"))
    // The bf16 products really ran: the weights differ from fp32's, but not by much after 10 steps.
    var largest: Float = 0
    for (x, y) in zip(fp32.parameters, bf16.parameters) { largest = max(largest, abs(x - y)) }
    #expect(largest > 0 && largest < 0.05, "largest weight difference \(largest)")

    let refused = try CLI.run(
      [
        "train", "t.txt", "--model", "more.safetensors", "--resume", "bf16.safetensors", "--max-steps", "12",
        "--precision", "fp32",
      ], in: dir)
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains("--precision bf16") && refused.stderr.contains("fp32"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir + "/more.safetensors"))
    let resumed = try CLI.run(
      ["train", "t.txt", "--model", "more.safetensors", "--resume", "bf16.safetensors", "--max-steps", "12"],
      in: dir)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(try Checkpoint.load(path: dir + "/more.safetensors").training?.options.precision == .bf16)

    // Without --precision, training runs bf16 on this CPU (the measured default), and a
    // resumed fp32 run stays fp32.
    let plain = try CLI.run(
      ["train", "t.txt", "--model", "plain.safetensors", "--max-steps", "10"] + Self.shape, in: dir)
    #expect(plain.status == 0 && plain.stderr.contains("bf16"), "\(plain.stderr)")
    #expect(
      FileManager.default.contents(atPath: dir + "/plain.safetensors")
        == FileManager.default.contents(atPath: dir + "/bf16.safetensors"))
    let fp32Resumed = try CLI.run(
      [
        "train", "t.txt", "--model", "fp32more.safetensors", "--resume", "fp32.safetensors", "--max-steps",
        "12",
      ],
      in: dir)
    #expect(fp32Resumed.status == 0, "\(fp32Resumed.stderr)")
    #expect(try Checkpoint.load(path: dir + "/fp32more.safetensors").training?.options.precision == nil)
  }

  /// As for fp32 (CommandLineTests): the two halves of the batch on two cores or
  /// one after the other give the same checkpoint bytes in bf16 too.
  @Test(.enabled(if: Precision.bf16Supported, "this CPU has no AVX512-BF16"))
  func bf16CheckpointDoesNotDependOnTheThreadCount() throws {
    let dir = try Self.textFolder()
    for threads in ["1", "2"] {
      let r = try CLI.run(
        [
          "train", "t.txt", "--model", "m\(threads).safetensors", "--max-steps", "8", "--threads", threads,
          "--precision", "bf16", "--dropout", "0.3",
        ] + Self.shape, in: dir)
      #expect(r.status == 0, "\(r.stderr)")
    }
    let one = FileManager.default.contents(atPath: dir + "/m1.safetensors")
    let two = FileManager.default.contents(atPath: dir + "/m2.safetensors")
    #expect(one != nil && one == two)
  }

  @Test(.enabled(if: Precision.bf16Supported, "this CPU has no AVX512-BF16"))
  func readersAndBenchTakeTheFlag() throws {
    let dir = try Self.textFolder()
    let train = try CLI.run(
      ["train", "t.txt", "--model", "m.safetensors", "--max-steps", "10"] + Self.shape, in: dir)
    #expect(train.status == 0, "\(train.stderr)")
    // Scoring in bf16 moves the loss a little, not a lot.
    var nats: [Double] = []
    for precision in ["fp32", "bf16"] {
      let r = try CLI.run(
        ["score", "m.safetensors", "t.txt", "--precision", precision, "--per-char"], in: dir)
      #expect(r.status == 0, "\(r.stderr)")
      let losses = r.stdout.split(separator: "\n").dropFirst().compactMap {
        Double($0.split(separator: "\t")[2])
      }
      nats.append(losses.reduce(0, +) / Double(max(losses.count, 1)))
    }
    #expect(nats[0] > 0 && nats[0] != nats[1] && abs(nats[0] - nats[1]) < 0.01 * nats[0], "\(nats)")
    let record = try CLI.run(
      ["record", "m.safetensors", "--text", "t.txt", "--out", "a.safetensors", "--precision", "bf16"], in: dir
    )
    #expect(record.status == 0, "\(record.stderr)")
    let bench = try CLI.run(
      [
        "bench", "--config", "1,40,4,4", "--iters", "1", "--record", "1,40,1", "--record-chars", "64",
        "--precision", "bf16",
      ], in: dir)
    #expect(bench.status == 0, "\(bench.stderr)")
    #expect(
      bench.stdout.split(separator: "\n").filter { $0.hasSuffix("\tbf16") }.count == 2, "\(bench.stdout)")
    let unknown = try CLI.run(["score", "m.safetensors", "t.txt", "--precision", "fp16"], in: dir)
    #expect(unknown.status != 0 && unknown.stderr.contains("precision"))
  }
}
