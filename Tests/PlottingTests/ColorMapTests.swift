import Testing

@testable import Plotting

@Suite struct ColorMapTests {
  @Test func divergingEndpointsAndMidpointAreRdBu() {
    let map = ColorMap.diverging
    #expect(map.domain == -1...1)
    #expect(map.hex(-1) == "#2166ac")
    #expect(map.hex(0) == "#f7f7f7")
    #expect(map.hex(1) == "#b2182b")
    let (r, g, b) = map.rgb(-1)
    #expect([r, g, b] == [0x21, 0x66, 0xAC])
    // Stops fall every 0.25.
    #expect(map.hex(-0.5) == "#92c5de")
    #expect(map.hex(0.5) == "#f4a582")
  }

  @Test func divergingInterpolatesBetweenStops() {
    // Half way between #2166ac (-1) and #4393c3 (-0.75), each channel rounded.
    #expect(ColorMap.diverging.hex(-0.875) == "#327db8")
  }

  @Test func sequentialEndpointsAndMidpointAreYlGnBu() {
    let map = ColorMap.sequential
    #expect(map.domain == 0...1)
    #expect(map.hex(0) == "#ffffd9")
    #expect(map.hex(0.5) == "#41b6c4")
    #expect(map.hex(1) == "#081d58")
  }

  @Test func outOfRangeValuesAreClampedAndNaNIsNeutral() {
    let d = ColorMap.diverging
    #expect(d.hex(-7) == d.hex(-1))
    #expect(d.hex(3.5) == d.hex(1))
    #expect(d.hex(.infinity) == d.hex(1))
    #expect(d.hex(-.infinity) == d.hex(-1))
    #expect(d.hex(.nan) == "#f7f7f7")
    let s = ColorMap.sequential
    #expect(s.hex(-0.1) == "#ffffd9")
    #expect(s.hex(2) == "#081d58")
    #expect(s.hex(.nan) == "#ffffd9")
  }

  @Test func armsOfTheDivergingMapAreEquallyLight() {
    // RdBu is built so that equal distances from 0 have similar lightness.
    for v in [0.25, 0.5, 0.75, 1.0] {
      let neg = ColorMap.diverging.color(-v).relativeLuminance
      let pos = ColorMap.diverging.color(v).relativeLuminance
      #expect(abs(neg - pos) < 0.12, "at ±\(v): \(neg) vs \(pos)")
    }
  }

  @Test func sequentialMapDarkensMonotonically() {
    let lum = stride(from: 0.0, through: 1.0, by: 0.05).map {
      ColorMap.sequential.color($0).relativeLuminance
    }
    #expect(zip(lum, lum.dropFirst()).allSatisfy { $0 > $1 })
  }

  @Test func quantizeSplitsTheDomainIntoEqualBands() {
    let d = ColorMap.diverging
    #expect(d.quantize(-1, levels: 21) == 0)
    #expect(d.quantize(1, levels: 21) == 20)
    #expect(d.quantize(0, levels: 21) == 10)
    #expect(d.quantize(.nan, levels: 21) == 10)
    #expect(d.quantize(-40, levels: 21) == 0)
    #expect(d.quantize(40, levels: 21) == 20)
    #expect(d.value(level: 10, levels: 21) == 0)
    #expect(ColorMap.sequential.quantize(0.5, levels: 10) == 5)
    #expect(ColorMap.sequential.quantize(0.0999, levels: 10) == 0)
    #expect(ColorMap.quantize(0.2, levels: 4, in: 0...1) == 0)
    #expect(ColorMap.quantize(0.25, levels: 4, in: 0...1) == 1)
    #expect(ColorMap.quantize(.nan, levels: 5) == 2)
  }

  @Test func bandValuesRoundTripThroughQuantize() {
    for levels in [1, 2, 7, 21] {
      for level in 0..<levels {
        let v = ColorMap.diverging.value(level: level, levels: levels)
        #expect(ColorMap.diverging.quantize(v, levels: levels) == level)
      }
    }
    let ramp = ColorMap.diverging.hexRamp(levels: 21)
    #expect(ramp.count == 21)
    #expect(ramp[10] == "#f7f7f7")
    #expect(Set(ramp).count == 21)
  }

  @Test func textColorContrastsWithTheBackground() {
    #expect(ColorMap.diverging.textColor(0) == .black)
    #expect(ColorMap.diverging.textColor(-1) == .white)
    #expect(ColorMap.diverging.textColor(1) == .white)
    #expect(ColorMap.sequential.textColor(0) == .black)
    #expect(ColorMap.sequential.textColor(1) == .white)
  }

  @Test func customMapsSpaceColoursEvenly() {
    let grey = ColorMap(name: "grey", domain: 0...10, colors: [.black, .white])
    #expect(grey.hex(5) == "#808080")
    #expect(grey.neutral == 5)
    #expect(grey.hex(.nan) == "#808080")
    let single = ColorMap(name: "one", domain: 0...1, colors: [RGBColor(hex: 0x123456)])
    #expect(single.hex(0.7) == "#123456")
  }

  @Test func rgbColorFormatsAndMixes() {
    #expect(RGBColor(hex: 0x0A0B0C).hex == "#0a0b0c")
    #expect(RGBColor(r: 255, g: 0, b: 16).description == "#ff0010")
    #expect(RGBColor.black.mixed(with: .white, 0.5) == RGBColor(r: 128, g: 128, b: 128))
    #expect(RGBColor.black.mixed(with: .white, .nan) == .black)
    #expect(RGBColor.black.mixed(with: .white, 9) == .white)
  }

  @Test func seriesPaletteIsOkabeItoAndCycles() {
    #expect(Palette.series.count == 8)
    #expect(Set(Palette.series).count == 8)
    #expect(Palette.series(0).hex == "#0072b2")
    #expect(Palette.series(1).hex == "#d55e00")
    #expect(Palette.series(8) == Palette.series(0))
    #expect(Palette.series(-1) == Palette.series(7))
  }
}
