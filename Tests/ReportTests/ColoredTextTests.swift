import Testing

@testable import Report

/// Colour-coded text: merged runs, visible whitespace, the focus box, byte models;
/// and the number formats every page uses.
@Suite struct ColoredTextTests {
  @Test func equalNeighboursMergeAndNewlinesShowAGlyph() {
    let units = SymbolDisplay.units(Array("ab\ncd".unicodeScalars.map(\.value)), kind: .unicode)
    let runs = ColoredText.runs(units, classes: ["v1", "v1", "v1", "v2", "v2"])
    #expect(runs.map(\.cls) == ["v1", "v2"])
    #expect(runs[0].parts.map(\.glyph) == ["", "↵"])
    #expect(runs[0].parts.map(\.text) == ["ab", "\n"])
    #expect(runs[1].parts.map(\.text) == ["cd"])
  }

  @Test func focusIsARunOfItsOwnAndASpaceThereIsVisible() {
    let units = SymbolDisplay.units(Array("a b".unicodeScalars.map(\.value)), kind: .unicode)
    let runs = ColoredText.runs(units, classes: ["v3", "v3", "v3"], focus: 1)
    #expect(runs.map(\.cls) == ["v3", "v3 fx", "v3"])
    #expect(runs[1].parts[0].glyph == "␣")
  }

  @Test func invisibleCharactersGetStandIns() {
    let units = SymbolDisplay.units(
      [0x09, 0x00, 0x7F, 0x202E, 0x2028, 0x41], kind: .unicode, lineBreaks: false)
    #expect(units.map(\.glyph) == ["⇥", "␀", "␡", "·", "↵", ""])
    #expect(units.map(\.text) == ["", "", "", "", "", "A"])
  }

  @Test func byteModelsShowDecodedCharactersAtLeadBytes() {
    let bytes = Array("é!".utf8).map(UInt32.init) + [0xFF]
    let units = SymbolDisplay.units(bytes, kind: .bytes)
    #expect(units.map(\.visible) == ["é", "·", "!", "�"])
  }

  @Test func valuesQuantiseToTwentyOneBands() {
    #expect(ColorClasses.diverging(-1) == 0)
    #expect(ColorClasses.diverging(0) == 10)
    #expect(ColorClasses.diverging(1) == 20)
    #expect(ColorClasses.diverging(quantized: 255) == 20)
    #expect(ColorClasses.sequential(0.5) == 10)
  }
}
