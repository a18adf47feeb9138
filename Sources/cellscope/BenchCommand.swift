import ArgumentParser
import CellscopeBenchmarks
import CharLSTM
import Foundation

/// A training shape `layers,hidden,batch,steps` (L, H, B, T), e.g. 2,128,50,50.
struct TrainingShape: ExpressibleByArgument, CustomStringConvertible {
  var layers, hidden, batch, steps: Int

  init?(argument: String) {
    let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
    guard parts.count == 4, let l = parts[0], let h = parts[1], let b = parts[2], let t = parts[3],
      l >= 1, h >= 1, b >= 1, t >= 1
    else { return nil }
    (layers, hidden, batch, steps) = (l, h, b, t)
  }

  var description: String { "\(layers),\(hidden),\(batch),\(steps)" }
  var defaultValueDescription: String { description }
}

/// A recorder shape `layers,hidden,batch` (L, H, B; B = 1 is the exact single stream).
struct RecorderShape: ExpressibleByArgument, CustomStringConvertible {
  var layers, hidden, batch: Int

  init?(argument: String) {
    let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
    guard parts.count == 3, let l = parts[0], let h = parts[1], let b = parts[2], l >= 1, h >= 1, b >= 1
    else { return nil }
    (layers, hidden, batch) = (l, h, b)
  }

  var description: String { "\(layers),\(hidden),\(batch)" }
  var defaultValueDescription: String { description }
}

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract:
      "Measure training and forward speed (use a release build: swift run -c release cellscope bench).")

  @Option(
    help: "Training shapes as layers,hidden,batch,seq (positive integers); repeat the option for several.")
  var config: [TrainingShape] = ["2,128,50,50", "2,256,50,50", "2,512,100,100", "3,512,50,50"].compactMap {
    TrainingShape(argument: $0)
  }
  @Option(help: "Vocabulary size of the synthetic data.") var vocab = 65
  @Option(help: "Timed steps per configuration (after one warm-up step).") var iters = 10
  @Option(help: "OpenBLAS threads (0: its default).") var threads = 2
  @Option(help: "Recorder shapes as layers,hidden,batch (batch 1 = exact single stream).")
  var record: [RecorderShape] = ["2,128,64", "2,512,64", "2,512,1", "3,512,64"].compactMap {
    RecorderShape(argument: $0)
  }
  @Option(help: "Characters recorded per recorder configuration (0 skips the recorder).") var recordChars =
    20_000

  @Option(
    help: ArgumentHelp(
      "Product precision to time: fp32, bf16; repeat for both (default: both where the CPU has AVX512-BF16).",
      valueName: "precision"))
  var precision: [Precision] = Precision.bf16Supported ? [.fp32, .bf16] : [.fp32]

  @Flag(
    help:
      "Time one network over the whole batch with multithreaded products instead of the two-shard step training uses."
  )
  var unsharded = false

  func validate() throws {
    guard vocab >= 2 else { throw ValidationError("--vocab must be at least 2.") }
    guard iters >= 1 else { throw ValidationError("--iters must be at least 1.") }
    guard threads >= 0 else { throw ValidationError("--threads must not be negative.") }
    guard recordChars >= 0 else { throw ValidationError("--record-chars must not be negative.") }
    if precision.contains(.bf16) && !Precision.bf16Supported {
      throw ValidationError("--precision bf16 needs a CPU with AVX512-BF16, which this one does not have.")
    }
  }

  func run() throws {
    setMatrixThreads(threads)
    let gemm = Benchmark.sgemmCeiling(n: 1024)
    print(String(format: "sgemm ceiling (1024^3, %d threads): %.1f GFLOP/s", threads, gemm))
    // One table per precision, fp32 first; the precision is the last column, so
    // that a line still starts with its configuration.
    print("config(L,H,B,T)\ttrain chars/s\tms/step\tGFLOP/s\tof ceiling\tforward chars/s\tprecision")
    for p in precision {
      for c in config {
        let r = Benchmark.run(
          layers: c.layers, hidden: c.hidden, batch: c.batch, steps: c.steps, vocab: vocab, iters: iters,
          sharded: !unsharded, precision: p)
        print(
          String(
            format: "%@\t%.0f\t%.1f\t%.1f\t%.0f%%\t%.0f\t%@", c.description, r.trainCharsPerSecond,
            r.msPerStep,
            r.gflops, 100 * r.gflops / gemm, r.forwardCharsPerSecond, p.rawValue))
      }
    }
    guard recordChars > 0, !record.isEmpty else { return }
    print("recorder(L,H,B)\trecord chars/s (every c, h, gate, softmax, top-5)\tprecision")
    for p in precision {
      for c in record {
        let chars = c.batch == 1 ? min(recordChars, 4000) : recordChars
        let rate = RecordingBenchmark.run(
          layers: c.layers, hidden: c.hidden, batch: c.batch, characters: chars, vocab: vocab, precision: p)
        print(String(format: "%@\t%.0f\t%@", c.description, rate, p.rawValue))
      }
    }
  }
}
