import Testing

@testable import Plotting

/// Pixel inspection helpers shared by the plot tests.
extension PNGImage {
  /// How many pixels inside the region (defaults: whole image) have exactly `color` and full opacity.
  func count(of color: RGBColor, x: Range<Int>? = nil, y: Range<Int>? = nil) -> Int {
    let xs = x ?? 0..<width
    let ys = y ?? 0..<height
    var n = 0
    for row in ys.clamped(to: 0..<height) {
      for col in xs.clamped(to: 0..<width) {
        let p = pixel(x: col, y: row)
        if p.r == color.r && p.g == color.g && p.b == color.b && p.a == 255 { n += 1 }
      }
    }
    return n
  }

  /// How many pixels look like `color` painted over white with an opacity of at
  /// least `minAlpha` (each channel within `tolerance` of that blend).
  func count(tintsOf color: RGBColor, minAlpha: Double = 0.4, tolerance: Double = 10, y: Range<Int>? = nil)
    -> Int
  {
    let target = [Double(color.r), Double(color.g), Double(color.b)]
    let ys = y ?? 0..<height
    var n = 0
    for row in ys.clamped(to: 0..<height) {
      for col in 0..<width {
        let p = pixel(x: col, y: row)
        let got = [Double(p.r), Double(p.g), Double(p.b)]
        // Opacity from the channel that moves furthest away from white.
        let k = (0..<3).max { abs(255 - target[$0]) < abs(255 - target[$1]) }!
        guard target[k] < 250 else { continue }
        let alpha = (255 - got[k]) / (255 - target[k])
        guard alpha >= minAlpha, alpha <= 1.05 else { continue }
        if (0..<3).allSatisfy({ abs(255 - alpha * (255 - target[$0]) - got[$0]) <= tolerance }) { n += 1 }
      }
    }
    return n
  }

  /// Whether every pixel is fully opaque (plots have a white background).
  var isOpaque: Bool { stride(from: 3, to: rgba.count, by: 4).allSatisfy { rgba[$0] == 255 } }
}

@Suite struct PNGImageTests {
  /// A small image with distinct values in every channel, including transparent
  /// and half-transparent pixels.
  static func sample(width: Int = 5, height: Int = 3) throws -> PNGImage {
    var bytes: [UInt8] = []
    for y in 0..<height {
      for x in 0..<width {
        bytes += [
          UInt8((x * 50) % 256), UInt8((y * 80) % 256), UInt8((x * 7 + y * 13) % 256),
          UInt8(255 - ((x + y) * 30) % 256),
        ]
      }
    }
    bytes[3] = 0
    bytes[7] = 128
    return try PNGImage(width: width, height: height, rgba: bytes)
  }

  @Test func roundTripIsExact() throws {
    let image = try Self.sample()
    let png = try image.encoded()
    let decoded = try PNGImage(decoding: png)
    #expect(decoded.width == 5)
    #expect(decoded.height == 3)
    #expect(decoded.rgba == image.rgba)
    #expect(decoded == image)
  }

  @Test func roundTripOfOnePixelAndOfAWideImage() throws {
    let one = try PNGImage(width: 1, height: 1, rgba: [1, 2, 3, 4])
    #expect(try PNGImage(decoding: one.encoded()) == one)
    let wide = try Self.sample(width: 300, height: 2)
    #expect(try PNGImage(decoding: wide.encoded()) == wide)
  }

  @Test func encodingStartsWithThePNGSignatureAndIsDeterministic() throws {
    let image = try Self.sample()
    let a = try image.encoded()
    let b = try image.encoded()
    #expect(Array(a.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(a == b)
  }

  @Test func pixelAccessorReadsRowMajorRGBA() throws {
    let image = try Self.sample()
    let p = image.pixel(x: 2, y: 1)
    #expect(p.r == 100)
    #expect(p.g == 80)
    #expect(p.b == 27)
    #expect(p.a == 165)
  }

  @Test func invalidSizesAreRejected() {
    #expect(throws: PNGError.invalidSize(width: 0, height: 3)) {
      try PNGImage(width: 0, height: 3, rgba: [])
    }
    #expect(throws: PNGError.wrongPixelCount(expected: 8, got: 7)) {
      try PNGImage(width: 2, height: 1, rgba: [UInt8](repeating: 0, count: 7))
    }
    #expect(throws: PNGError.self) {
      try PNGImage(width: PNGImage.maxSide + 1, height: 1, rgba: [])
    }
  }

  @Test func garbageAndTruncatedFilesFailToDecodeWithoutCrashing() throws {
    #expect(throws: PNGError.self) { try PNGImage(decoding: []) }
    #expect(throws: PNGError.self) { try PNGImage(decoding: Array("not a png at all".utf8)) }
    let png = try Self.sample().encoded()
    #expect(throws: PNGError.self) { try PNGImage(decoding: Array(png.prefix(png.count / 2))) }
  }

  @Test func errorsDescribeThemselvesInOneSentence() {
    let e = PNGError.decodingFailed("bad signature")
    #expect(e.description == "Could not decode PNG: bad signature.")
  }

  @Test func canvasConvertsPremultipliedPixelsToStraightRGBA() throws {
    // An opaque white background with a fully covered red square.
    let canvas = try Canvas(width: 10, height: 10)
    canvas.fillRect(Rect(x: 2, y: 2, width: 4, height: 4), color: RGBColor(hex: 0xD55E00))
    let image = try canvas.image()
    #expect(image.isOpaque)
    #expect(image.count(of: RGBColor(hex: 0xD55E00)) == 16)
    #expect(image.count(of: .white) == 100 - 16)
    let p = image.pixel(x: 3, y: 3)
    #expect((p.r, p.g, p.b, p.a) == (0xD5, 0x5E, 0x00, 255))
  }

  @Test func canvasPNGMatchesItsPixels() throws {
    let canvas = try Canvas(width: 12, height: 7, background: RGBColor(hex: 0x0072B2))
    canvas.line(0, 3.5, 12, 3.5, color: .white, width: 1)
    let image = try canvas.image()
    #expect(try PNGImage(decoding: canvas.pngData()) == image)
    #expect(image.count(of: .white) == 12)
  }

  @Test func canvasMeasuresText() throws {
    let canvas = try Canvas(width: 10, height: 10)
    let short = canvas.measure("1", size: 12)
    let long = canvas.measure("1000000", size: 12)
    #expect(short.width > 3)
    #expect(long.width > 5 * short.width)
    #expect(canvas.measure("1", size: 24).width > short.width * 1.8)
    #expect(short.ascent > 8 && short.descent > 1)
  }
}
