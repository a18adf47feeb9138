import Foundation
import Interpretability
import Testing

/// The one number formatter of pages, `cells.csv` and `analysis.json`. Expected
/// strings are written out by hand from printf's rules and the page style
/// (no "-0.00", a dash for missing values, U+2212 as the shown minus sign).
@Suite struct NumberFormatTests {
  @Test func pageFiguresHaveFixedDecimalsAndNoNegativeZero() {
    #expect(NumberFormat.fixed(0.96949, 3) == "0.969")
    #expect(NumberFormat.fixed(-0.0001, 2) == "0.00")
    #expect(NumberFormat.fixed(Double.nan, 2) == "–")
    #expect(NumberFormat.fixed(-Double.infinity, 2) == "–")
    #expect(NumberFormat.fixed(nil as Double?, 2) == "–")
    #expect(NumberFormat.fixed(12 as Double?, 1) == "12.0")
  }

  @Test func signsPercentagesIntegersRatesAndBytes() {
    #expect(NumberFormat.signed(0.31, 2) == "+0.31")
    #expect(NumberFormat.signed(-0.05, 2) == "−0.05")
    #expect(NumberFormat.signed(0, 2) == "0.00")
    #expect(NumberFormat.signed(-0.001, 2) == "0.00")
    #expect(NumberFormat.signed(.nan, 2) == "–")
    #expect(NumberFormat.percent(0.1234) == "12.3%")
    #expect(NumberFormat.percent(0.9, 0) == "90%")
    #expect(NumberFormat.percent(.infinity) == "–")
    #expect(NumberFormat.integer(1_234_567) == "1,234,567")
    #expect(NumberFormat.integer(12) == "12")
    #expect(NumberFormat.integer(-1234) == "-1,234")
    #expect(NumberFormat.integer(0) == "0")
    #expect(NumberFormat.rate(2e-3) == "2.0e-3")
    #expect(NumberFormat.rate(0.5) == "5.0e-1")
    #expect(NumberFormat.rate(12) == "1.2e1")
    #expect(NumberFormat.bytes(912) == "912 B")
    #expect(NumberFormat.bytes(12_400) == "12.4 KB")
    #expect(NumberFormat.bytes(3_100_000) == "3.1 MB")
    #expect(NumberFormat.bits(nats: log(2.0)) == "1.000")
    #expect(NumberFormat.bits(nats: nil) == "–")
  }

  /// CSV columns keep C's spelling, which pandas reads back: the sign of a
  /// rounded-away negative, and nan/inf instead of the page's dash.
  @Test func dataFileDecimalsAreCsSpelling() {
    #expect(NumberFormat.decimals(0.97, 4) == "0.9700")
    #expect(NumberFormat.decimals(-0.00001, 4) == "-0.0000")
    #expect(NumberFormat.decimals(.nan, 4) == "nan")
    #expect(NumberFormat.decimals(.infinity, 4) == "inf")
    #expect(NumberFormat.decimals(-.infinity, 2) == "-inf")
    #expect(NumberFormat.decimals(3.14159, 0) == "3")
  }

  /// JSON values are rounded half away from zero to the nearest representable decimal.
  @Test func jsonValuesAreRoundedToTheGivenDecimals() {
    #expect(NumberFormat.rounded(1.23456, 4) == 1.2346)
    #expect(NumberFormat.rounded(-1.23454, 4) == -1.2345)
    #expect(NumberFormat.rounded(2.5, 0) == 3)
    #expect(NumberFormat.rounded(-2.5, 0) == -3)
    #expect(NumberFormat.rounded(0.1, 4) == 0.1)
    #expect(NumberFormat.rounded(.nan, 4).isNaN)
    #expect(NumberFormat.rounded(.infinity, 4) == .infinity)
  }
}
