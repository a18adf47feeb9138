import Testing

@testable import Plotting

@Suite struct AxisTests {
  @Test func niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    #expect(Axis.niceStep(0.3) == 0.5)
    #expect(Axis.niceStep(0.17) == 0.2)
    #expect(Axis.niceStep(1) == 1)
    #expect(Axis.niceStep(7) == 10)
    #expect(Axis.niceStep(120) == 200)
    #expect(Axis.niceStep(0.05) == 0.05)
    #expect(Axis.niceStep(0) == 1)
    #expect(Axis.niceStep(.nan) == 1)
  }

  @Test func looseAxisWidensToTicks() {
    let axis = Axis.linear(covering: [1.23, 4.56, 2], maxTicks: 6, loose: true)
    #expect(axis.lower == 1)
    #expect(axis.upper == 5)
    #expect(axis.ticks == [1, 2, 3, 4, 5])
    #expect(axis.labels == ["1", "2", "3", "4", "5"])
  }

  @Test func tightAxisSpansTheDataWithTicksInside() {
    let axis = Axis.linear(covering: [1, 2000], maxTicks: 10, loose: false)
    #expect(axis.lower == 1)
    #expect(axis.upper == 2000)
    #expect(axis.ticks == [200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000])
  }

  @Test func tickLabelsHaveNoRoundingNoiseAndUseATrueMinus() {
    let tenths = Axis.linear(lower: 0, upper: 1, maxTicks: 10, loose: false)
    #expect(tenths.labels == ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"])
    let symmetric = Axis.linear(lower: -1, upper: 1, maxTicks: 4, loose: false)
    #expect(symmetric.labels == ["−1.0", "−0.5", "0.0", "0.5", "1.0"])
    let small = Axis.linear(lower: 0, upper: 0.003, maxTicks: 3, loose: false)
    #expect(small.labels == ["0.000", "0.001", "0.002", "0.003"])
  }

  @Test func largeValuesGetThousandsSuffixes() {
    let axis = Axis.linear(lower: 0, upper: 20_000, maxTicks: 4, loose: false)
    #expect(axis.labels == ["0", "5k", "10k", "15k", "20k"])
    let millions = Axis.linear(lower: 0, upper: 30_000_000, maxTicks: 3, loose: false)
    #expect(millions.labels == ["0", "10M", "20M", "30M"])
  }

  @Test func paddingAddsRoomButKeepsTicksOnTheData() {
    let axis = Axis.linear(lower: 0, upper: 1, maxTicks: 5, loose: false, pad: 0.05)
    #expect(abs(axis.lower - -0.05) < 1e-12)
    #expect(abs(axis.upper - 1.05) < 1e-12)
    #expect(axis.labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
  }

  @Test func degenerateInputStillGivesAUsableAxis() {
    let empty = Axis.linear(covering: [], maxTicks: 5, loose: true)
    #expect(empty.lower == 0 && empty.upper == 1)
    let nans = Axis.linear(covering: [.nan, .infinity, -.infinity], maxTicks: 5, loose: true)
    #expect(nans.lower == 0 && nans.upper == 1)
    let constant = Axis.linear(covering: [2, 2, 2], maxTicks: 4, loose: true)
    #expect(constant.lower < 2 && constant.upper > 2)
    #expect(constant.ticks.contains(2))
    let zero = Axis.linear(covering: [0], maxTicks: 4, loose: true)
    #expect(zero.lower == -1 && zero.upper == 1)
    let reversed = Axis.linear(lower: 5, upper: 1, maxTicks: 4, loose: false)
    #expect(reversed.lower == 1 && reversed.upper == 5)
    for axis in [empty, nans, constant, zero, reversed] {
      #expect(axis.upper > axis.lower)
      #expect(!axis.ticks.isEmpty)
      #expect(axis.ticks.count == axis.labels.count)
    }
  }

  @Test func includeZeroExtendsTheRange() {
    let axis = Axis.linear(covering: [3, 7], maxTicks: 5, loose: true, includeZero: true)
    #expect(axis.lower == 0)
    #expect(axis.upper >= 7)
  }

  @Test func logCountAxisHasDecadeTicks() {
    let axis = Axis.logCount(maxCount: 3500, maxTicks: 8)
    #expect(axis.ticks == [0, 1, 2, 3, 4])
    #expect(axis.labels == ["1", "10", "100", "1k", "10k"])
    #expect(axis.lower < 0)
    let sparse = Axis.logCount(maxCount: 50_000_000, maxTicks: 4)
    #expect(sparse.labels == ["1", "100", "10k", "1M", "100M"])
    let none = Axis.logCount(maxCount: 0, maxTicks: 4)
    #expect(none.labels == ["1", "10"])
  }

  @Test func fractionMapsTheEndsToZeroAndOne() {
    let axis = Axis.linear(lower: 2, upper: 6, maxTicks: 4, loose: false)
    #expect(axis.fraction(2) == 0)
    #expect(axis.fraction(6) == 1)
    #expect(axis.fraction(3) == 0.25)
  }

  @Test func numbersAreFormattedWithoutNegativeZero() {
    #expect(TickFormat.fixed(-0.0001, decimals: 2) == "0.00")
    #expect(TickFormat.fixed(-1.5, decimals: 1) == "−1.5")
    #expect(TickFormat.fixed(.nan, decimals: 1) == "NaN")
    #expect(TickFormat.compact(2500, decimals: 0) == "2.5k")
    #expect(TickFormat.compact(1_000_000, decimals: 0) == "1M")
    #expect(TickFormat.compact(12, decimals: 1) == "12.0")
    #expect(TickFormat.trimmed("3.500") == "3.5")
    #expect(TickFormat.decimalsFor(step: 0.1) == 1)
    #expect(TickFormat.decimalsFor(step: 0.05) == 2)
    #expect(TickFormat.decimalsFor(step: 5) == 0)
  }
}
