import Foundation

/// Every number cellscope writes goes through here: the pages, `cells.csv`,
/// `analysis.json` and the cells' role texts. One place decides the decimal
/// point (always POSIX "."), the rounding (printf's, to nearest) and what a
/// missing or non-finite value looks like, so that the same figure reads the
/// same in a page and in an export.
///
/// Two families, because pages and data files have different readers:
/// - for pages (``fixed(_:_:)-(Double,_)``, ``signed(_:_:)``, ``percent(_:_:)``,
///   ``integer(_:)``, ``bits(nats:)``, ``rate(_:)``, ``bytes(_:)``): no "-0.00",
///   a dash for missing or non-finite values, a real minus sign where a sign is shown;
/// - for data files (``decimals(_:_:)``, ``rounded(_:_:)``): C's `%.Nf` spelling
///   ("-0.0000", "nan", "inf"), which pandas and NumPy parse back, and values
///   rounded before JSON encoding.
public enum NumberFormat {
  /// The text shown on pages for a missing or non-finite value (an en dash).
  public static let missing = "–"

  // MARK: Pages

  /// `x` with exactly `digits` decimals for a page: "0.970"; "0.00" for -0.001
  /// at 2 digits (never "-0.00"); ``missing`` for NaN and ±infinity.
  public static func fixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return missing }
    let s = decimals(x, digits)
    return isNegativeZero(s) ? String(s.dropFirst()) : s
  }

  /// `fixed` for an optional: ``missing`` for nil.
  public static func fixed(_ x: Double?, _ digits: Int) -> String {
    x.map { fixed($0, digits) } ?? missing
  }

  /// `x` with an explicit sign: "+0.31", "−0.05" (U+2212, a real minus sign),
  /// "0.00" when it rounds to zero; ``missing`` when not finite.
  public static func signed(_ x: Double, _ digits: Int) -> String {
    let s = fixed(x, digits)
    if s == missing { return s }
    if s.hasPrefix("-") { return "−" + s.dropFirst() }
    return isZero(s) ? s : "+" + s
  }

  /// A fraction as a percentage with `digits` decimals: 0.123 → "12.3%";
  /// ``missing`` when not finite.
  public static func percent(_ x: Double, _ digits: Int = 1) -> String {
    let s = fixed(x * 100, digits)
    return s == missing ? s : s + "%"
  }

  /// An integer with comma grouping in threes: 1234567 → "1,234,567", -1234 → "-1,234".
  public static func integer(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(ch)
    }
    return n < 0 ? "-" + out : out
  }

  /// A loss in nats per character as bits per character, 3 decimals; ``missing`` for nil.
  public static func bits(nats: Double?) -> String {
    guard let nats else { return missing }
    return fixed(nats / log(2.0), 3)
  }

  /// A learning rate with 2 significant digits and a short exponent: 2e-3 → "2.0e-3",
  /// 0.5 → "5.0e-1", 12 → "1.2e1"; ``missing`` when not finite.
  public static func rate(_ x: Double) -> String {
    guard x.isFinite else { return missing }
    return String(format: "%.1e", x).replacingOccurrences(of: "e-0", with: "e-")
      .replacingOccurrences(of: "e+0", with: "e")
  }

  /// A byte count in powers of 1000: "912 B", "12.4 KB", "3.1 MB".
  public static func bytes(_ n: Int) -> String {
    if n < 1000 { return "\(n) B" }
    if n < 1_000_000 { return fixed(Double(n) / 1e3, 1) + " KB" }
    return fixed(Double(n) / 1e6, 1) + " MB"
  }

  // MARK: Data files

  /// `x` as C's `%.<digits>f` writes it, for CSV columns and role texts: "0.9700",
  /// "-0.0000" (the sign of a negative value that rounds to zero is kept), "nan",
  /// "inf", "-inf". `digits` must be at least 0.
  public static func decimals(_ x: Double, _ digits: Int) -> String {
    String(format: "%.\(max(0, digits))f", x)
  }

  /// `x` rounded to `digits` decimals (0...9), halves away from zero, for values
  /// encoded into JSON: 0.123456 → 0.1235. Non-finite values come back unchanged;
  /// the result is the nearest `Double` to the decimal, so the encoder writes it
  /// with at most `digits` decimals.
  public static func rounded(_ x: Double, _ digits: Int) -> Double {
    let scale = powersOfTen[min(max(digits, 0), powersOfTen.count - 1)]
    return (x * scale).rounded() / scale
  }

  /// Exact powers of ten (written out so that no `pow` rounding can enter).
  private static let powersOfTen: [Double] = [
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
  ]

  private static func isZero(_ s: String) -> Bool { s.allSatisfy { $0 == "0" || $0 == "." } }
  private static func isNegativeZero(_ s: String) -> Bool {
    s.hasPrefix("-") && isZero(String(s.dropFirst()))
  }
}
