import CharLSTM
import Foundation
import Testing

@testable import Interpretability

/// The per-cell statistics computed on two threads (half the cells each, 2,048
/// buffered positions at a time) equal the same statistics on one thread, bit for
/// bit: every cell sees its values in the same order either way. The one-thread
/// path is the one `StreamingStatisticsTests` checks against a naive reference.
///
/// 2 x 64 cells (U = 256, the smallest model that takes the two-thread path), 7
/// fast-mode streams (shards of 3 and 4) and segments of 997 characters, so that
/// flushes fall inside and across segments and streams.
struct ParallelStatisticsTests {
  static let text = Fixtures.demoText(2500, seed: 5)

  static func encoded(_ options: RecorderOptions, threads: Int) throws -> Data {
    let checkpoint = try Fixtures.randomCheckpoint(text: text, hidden: 64, layers: 2)
    var options = options
    options.statisticsThreads = threads
    options.segment = 997
    var analyzer = Analyzer(checkpoint: checkpoint, options: options)
    // Not the probes: their Gram matrix is an OpenBLAS product whose thread count other tests running
    // at the same time change (a flake of 7 bytes once, under load); this test is about the statistics.
    analyzer.probes = false
    let analysis = try analyzer.analyze(text: text, textName: "t.txt")
    #expect(analysis.cellOrder.count == 256)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return try encoder.encode(analysis)
  }

  @Test(arguments: [false, true])
  func twoThreadsEqualOne(exact: Bool) throws {
    let options = exact ? Fixtures.exact() : Fixtures.fast(streams: 7, warmup: 32)
    let one = try Self.encoded(options, threads: 1), two = try Self.encoded(options, threads: 2)
    #expect(one.count > 10_000)
    #expect(one == two)
  }
}
