import CharLSTM

/// The second pass: for the cells the report shows, cuts out the windows the
/// first pass chose (max- and min-activating positions) and samples windows
/// from quantile bands of each cell's distribution, with the cell's value at
/// every character of the window.
///
/// Each stream keeps a ring of its last 2C+1 positions, so a window is complete
/// C positions after its focus; windows are cut short where a stream's
/// recording starts or ends.
final class WindowCollector {
  struct Band {
    var label: String
    var lower: Float, upper: Float
  }

  let units: [Int]  // the displayed cells, as unit indices
  let context: Int
  let wanted: [[Int: Int]]  // per displayed cell: position → 0 top, 1 bottom
  let bands: [[Band]]  // per displayed cell
  let samplesPerBand: Int
  let symbols: [UInt32]

  var topWindows: [[Window]], bottomWindows: [[Window]]
  var bandWindows: [[[Window]]]  // (cell, band) reservoir
  var bandSeen: [[Int]]
  var rng = SeededGenerator(seed: 0xBA7D)

  private var ring: [[Float]]  // (streams, slots · displayed)
  private var ringPosition: [[Int]]  // (streams, slots)
  private var lastPosition: [Int]

  init(
    units: [Int], context: Int, wanted: [[Int: Int]], bands: [[Band]], samplesPerBand: Int, symbols: [UInt32],
    streams: Int
  ) {
    self.units = units
    self.context = context
    self.wanted = wanted
    self.bands = bands
    self.samplesPerBand = samplesPerBand
    self.symbols = symbols
    topWindows = .init(repeating: [], count: units.count)
    bottomWindows = topWindows
    bandWindows = bands.map { .init(repeating: [], count: $0.count) }
    bandSeen = bands.map { .init(repeating: 0, count: $0.count) }
    let slots = 2 * context + 1
    ring = .init(repeating: .init(repeating: 0, count: slots * units.count), count: streams)
    ringPosition = .init(repeating: .init(repeating: -1, count: slots), count: streams)
    lastPosition = .init(repeating: -10, count: streams)
  }

  func observe(_ o: Observation) {
    let s = o.stream, slots = 2 * context + 1, D = units.count
    if lastPosition[s] != o.position - 1 { flush(stream: s) }
    let slot = o.position % slots
    for (d, u) in units.enumerated() { ring[s][slot * D + d] = o.values[u] }
    ringPosition[s][slot] = o.position
    lastPosition[s] = o.position
    let focus = o.position - context
    if focus >= 0 && ringPosition[s][focus % slots] == focus { emit(stream: s, focus: focus) }
  }

  /// Emits the windows whose after-context will never arrive (end of a stream).
  func flush(stream s: Int) {
    let last = lastPosition[s]
    guard last >= 0 else { return }
    let slots = 2 * context + 1
    for focus in max(0, last - context + 1)...last where ringPosition[s][focus % slots] == focus {
      emit(stream: s, focus: focus)
    }
    ringPosition[s] = .init(repeating: -1, count: slots)
    lastPosition[s] = -10
  }

  func finish() {
    for s in ring.indices { flush(stream: s) }
  }

  private func emit(stream s: Int, focus: Int) {
    let slots = 2 * context + 1, D = units.count
    var first = focus, last = focus
    while first > focus - context, first > 0, ringPosition[s][(first - 1) % slots] == first - 1 { first -= 1 }
    while last < focus + context, ringPosition[s][(last + 1) % slots] == last + 1 { last += 1 }
    for d in 0..<D {
      let x = ring[s][(focus % slots) * D + d]
      let which = wanted[d][focus]
      var band: Int?
      for (b, range) in bands[d].enumerated() where x >= range.lower && x <= range.upper {
        band = b
        break
      }
      guard which != nil || band != nil else { continue }
      func window() -> Window {
        Window(
          start: first, focus: focus - first, symbols: Array(symbols[first...last]),
          values: (first...last).map { ring[s][($0 % slots) * D + d] })
      }
      if which == 0 { topWindows[d].append(window()) }
      if which == 1 { bottomWindows[d].append(window()) }
      if let b = band {
        // Reservoir sampling: every position in the band is equally likely to be kept.
        bandSeen[d][b] += 1
        if bandWindows[d][b].count < samplesPerBand {
          bandWindows[d][b].append(window())
        } else {
          let r = rng.below(bandSeen[d][b])
          if r < samplesPerBand { bandWindows[d][b][r] = window() }
        }
      }
    }
  }
}
