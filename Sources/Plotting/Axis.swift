import Foundation

/// One axis of a plot: the interval of data values it shows, where its ticks
/// go and how they are labelled. Pure arithmetic; drawing is in `PlotArea`.
///
/// Ticks step by 1, 2 or 5 times a power of ten ("nice" numbers), and every
/// tick value is computed as `k * step` rather than by repeated addition, so
/// labels never show accumulated rounding such as `0.30000000000000004`.
struct Axis: Equatable, Sendable {
  /// The value at the start (left or bottom) of the axis.
  var lower: Double
  /// The value at the end (right or top) of the axis; greater than `lower`.
  var upper: Double
  /// Tick positions in data units, increasing, all within `lower...upper`.
  var ticks: [Double]
  /// One label per tick.
  var labels: [String]

  /// Where `v` falls along the axis: 0 at `lower`, 1 at `upper` (not clamped).
  func fraction(_ v: Double) -> Double { (v - lower) / (upper - lower) }

  /// A linear axis covering `values` (non-finite values are ignored) with at most
  /// about `maxTicks` ticks.
  ///
  /// - `loose`: widen the ends out to the nearest ticks (good for y axes).
  ///   Otherwise the axis spans exactly the data and ticks fall inside it.
  /// - `pad`: extra room at both ends as a fraction of the span, after rounding.
  /// - No finite values give 0...1; a single value v gives v ± 10% (or ±1 at 0).
  static func linear(
    covering values: [Double], maxTicks: Int, loose: Bool, pad: Double = 0, includeZero: Bool = false
  ) -> Axis {
    var lo = Double.infinity
    var hi = -Double.infinity
    for v in values where v.isFinite {
      lo = min(lo, v)
      hi = max(hi, v)
    }
    if includeZero, lo <= hi {
      lo = min(lo, 0)
      hi = max(hi, 0)
    }
    if lo > hi {
      lo = 0
      hi = 1
    } else if lo == hi {
      let half = lo == 0 ? 1 : abs(lo) * 0.1
      lo -= half
      hi += half
    }
    return linear(lower: lo, upper: hi, maxTicks: maxTicks, loose: loose, pad: pad)
  }

  /// A linear axis over `lower...upper` (swapped if reversed; widened if empty).
  static func linear(lower: Double, upper: Double, maxTicks: Int, loose: Bool, pad: Double = 0) -> Axis {
    var lo = min(lower, upper)
    var hi = max(lower, upper)
    if !(lo.isFinite && hi.isFinite) {
      lo = 0
      hi = 1
    }
    if hi - lo <= abs(hi) * 1e-12 {
      let half = lo == 0 ? 1 : abs(lo) * 0.1
      lo -= half
      hi += half
    }
    let step = niceStep((hi - lo) / Double(max(1, maxTicks)))
    if loose {
      // The epsilon keeps 1.8/0.1 = 18.000000000000004 from widening a whole step.
      lo = (lo / step + 1e-9).rounded(.down) * step
      hi = (hi / step - 1e-9).rounded(.up) * step
    }
    let span = hi - lo
    lo -= span * pad
    hi += span * pad
    let first = (lo / step - 1e-9).rounded(.up)
    let last = (hi / step + 1e-9).rounded(.down)
    var ticks: [Double] = []
    if first <= last {
      for k in stride(from: first, through: last, by: 1) {
        let t = k * step
        ticks.append(abs(t) < step * 1e-9 ? 0 : t)
      }
    }
    return Axis(lower: lo, upper: hi, ticks: ticks, labels: TickFormat.labels(ticks, step: step))
  }

  /// An axis of log10(count) for histogram bars: ticks at powers of ten labelled
  /// 1, 10, 100, 1k... The bottom sits at log10(0.5), so a count of 1 is visible.
  static func logCount(maxCount: Int, maxTicks: Int) -> Axis {
    var topDecade = max(1, Int((log10(Double(max(1, maxCount))) - 1e-9).rounded(.up)))
    let every = max(1, Int((Double(topDecade) / Double(max(1, maxTicks))).rounded(.up)))
    topDecade = (topDecade + every - 1) / every * every
    let decades = stride(from: 0, through: topDecade, by: every).map { $0 }
    let labels = decades.map { TickFormat.compact(pow(10, Double($0)), decimals: 0) }
    return Axis(lower: log10(0.5), upper: Double(topDecade), ticks: decades.map(Double.init), labels: labels)
  }

  /// The smallest 1, 2 or 5 times a power of ten that is at least `rough`.
  static func niceStep(_ rough: Double) -> Double {
    guard rough.isFinite, rough > 0 else { return 1 }
    let magnitude = pow(10, log10(rough).rounded(.down))
    for m in [1.0, 2, 5, 10] where m * magnitude >= rough * (1 - 1e-12) {
      return m * magnitude
    }
    return 10 * magnitude
  }
}

/// Formatting of tick labels and other numbers shown on plots.
enum TickFormat {
  /// Labels for `ticks` spaced `step` apart: just enough decimals to tell
  /// neighbours apart; a `k` or `M` suffix once values reach 10,000 or
  /// 10,000,000; a true minus sign; never "-0".
  static func labels(_ ticks: [Double], step: Double) -> [String] {
    let largest = ticks.map(abs).max() ?? 0
    var scale = 1.0
    var suffix = ""
    if largest >= 10_000_000 {
      (scale, suffix) = (1_000_000, "M")
    } else if largest >= 10_000 {
      (scale, suffix) = (1_000, "k")
    }
    let decimals = decimalsFor(step: step / scale)
    return ticks.map { fixed($0 / scale, decimals: decimals) + ($0 == 0 ? "" : suffix) }
  }

  /// `v` with a `k`/`M` suffix when it is at least 1,000 / 1,000,000 (e.g. 2500 → "2.5k").
  static func compact(_ v: Double, decimals: Int) -> String {
    let a = abs(v)
    if a >= 1_000_000 { return trimmed(fixed(v / 1_000_000, decimals: 1)) + "M" }
    if a >= 1_000 { return trimmed(fixed(v / 1_000, decimals: 1)) + "k" }
    return fixed(v, decimals: decimals)
  }

  /// Decimal places needed to show multiples of `step` exactly (0 for steps ≥ 1).
  static func decimalsFor(step: Double) -> Int {
    guard step.isFinite, step > 0 else { return 0 }
    return min(12, max(0, Int((-log10(step) - 1e-9).rounded(.up))))
  }

  /// `v` with exactly `decimals` decimals, a Unicode minus sign and no negative zero.
  static func fixed(_ v: Double, decimals: Int) -> String {
    guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : "−∞") }
    var s = String(format: "%.\(max(0, decimals))f", v)
    if s.hasPrefix("-") {
      s.removeFirst()
      if s.contains(where: { $0 != "0" && $0 != "." }) { s = "−" + s }
    }
    return s
  }

  /// `s` without trailing zeros after a decimal point ("2.50" → "2.5", "3.0" → "3").
  static func trimmed(_ s: String) -> String {
    guard s.contains(".") else { return s }
    var t = Substring(s)
    while t.hasSuffix("0") { t = t.dropLast() }
    if t.hasSuffix(".") { t = t.dropLast() }
    return String(t)
  }
}
