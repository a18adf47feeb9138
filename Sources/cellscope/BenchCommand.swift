import ArgumentParser
import CellscopeBenchmarks
import CharLSTM
import Foundation

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract:
      "Measure training and forward speed (use a release build: swift run -c release cellscope bench).")

  @Option(help: "Configurations as layers,hidden,batch,seq; separate several with spaces.")
  var config: [String] = ["2,128,50,50", "2,256,50,50", "2,512,100,100", "3,512,50,50"]
  @Option(help: "Vocabulary size of the synthetic data.") var vocab = 65
  @Option(help: "Timed steps per configuration (after one warm-up step).") var iters = 10
  @Option(help: "OpenBLAS threads (0: its default).") var threads = 2
  @Option(help: "Recorder configurations as layers,hidden,batch (batch 1 = exact single stream).")
  var record: [String] = ["2,128,64", "2,512,64", "2,512,1", "3,512,64"]
  @Option(help: "Characters recorded per recorder configuration (0 skips the recorder).") var recordChars =
    20_000

  @Flag(
    help:
      "Time one network over the whole batch with multithreaded products instead of the two-shard step training uses."
  )
  var unsharded = false

  func run() throws {
    setMatrixThreads(threads)
    let gemm = Benchmark.sgemmCeiling(n: 1024)
    print(String(format: "sgemm ceiling (1024^3, %d threads): %.1f GFLOP/s", threads, gemm))
    print("config(L,H,B,T)\ttrain chars/s\tms/step\tGFLOP/s\tof ceiling\tforward chars/s")
    for c in config {
      let parts = c.split(separator: ",").compactMap { Int($0) }
      guard parts.count == 4 else { throw ValidationError("--config must look like 2,128,50,50 (got \(c)).") }
      let r = Benchmark.run(
        layers: parts[0], hidden: parts[1], batch: parts[2], steps: parts[3], vocab: vocab, iters: iters,
        sharded: !unsharded)
      print(
        String(
          format: "%@\t%.0f\t%.1f\t%.1f\t%.0f%%\t%.0f", c, r.trainCharsPerSecond, r.msPerStep, r.gflops,
          100 * r.gflops / gemm, r.forwardCharsPerSecond))
    }
    guard recordChars > 0, !record.isEmpty else { return }
    print("recorder(L,H,B)\trecord chars/s (every c, h, gate, softmax, top-5)")
    for c in record {
      let parts = c.split(separator: ",").compactMap { Int($0) }
      guard parts.count == 3 else { throw ValidationError("--record must look like 2,512,64 (got \(c)).") }
      let chars = parts[2] == 1 ? min(recordChars, 4000) : recordChars
      let rate = RecordingBenchmark.run(
        layers: parts[0], hidden: parts[1], batch: parts[2], characters: chars, vocab: vocab)
      print(String(format: "%@\t%.0f", c, rate))
    }
  }
}
