import CPNG

/// An 8-bit straight-alpha RGBA image and its PNG encoding.
///
/// This is the only file that imports libpng. It uses libpng's "simplified"
/// API (`png_image_*`), which reports errors through the `png_image` struct
/// instead of `longjmp`, so no setjmp handling is needed on the Swift side.
///
/// Pixels are stored row by row, top to bottom, four bytes per pixel in the
/// order R, G, B, A, with no padding between rows. Encoding writes no
/// timestamps or other varying chunks, so equal pixels give equal bytes.
public struct PNGImage: Equatable, Sendable {
  /// Width in pixels (at least 1).
  public let width: Int
  /// Height in pixels (at least 1).
  public let height: Int
  /// `width * height * 4` bytes: R, G, B, A per pixel, rows top to bottom.
  public let rgba: [UInt8]

  /// Wraps RGBA pixels; `rgba.count` must be `width * height * 4`.
  public init(width: Int, height: Int, rgba: [UInt8]) throws {
    guard width > 0, height > 0, width <= PNGImage.maxSide, height <= PNGImage.maxSide else {
      throw PNGError.invalidSize(width: width, height: height)
    }
    guard rgba.count == width * height * 4 else {
      throw PNGError.wrongPixelCount(expected: width * height * 4, got: rgba.count)
    }
    self.width = width
    self.height = height
    self.rgba = rgba
  }

  /// The largest width or height accepted (a guard against absurd sizes).
  public static let maxSide = 16_384

  /// The pixel at column `x`, row `y` (0 is the top row).
  public func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
    precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside the image")
    let i = (y * width + x) * 4
    return (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3])
  }

  /// The image as PNG file bytes (8-bit RGBA, non-interlaced).
  public func encoded() throws -> [UInt8] {
    var image = PNGImage.emptyControl()
    image.width = UInt32(width)
    image.height = UInt32(height)
    image.format = PNGImage.formatRGBA
    let rowStride = Int32(width * 4)

    return try rgba.withUnsafeBufferPointer { pixels -> [UInt8] in
      // First call measures, second call writes.
      var size = 0
      guard png_image_write_to_memory(&image, nil, &size, 0, pixels.baseAddress, rowStride, nil) != 0,
        size > 0
      else {
        defer { png_image_free(&image) }
        throw PNGError.encodingFailed(PNGImage.message(of: image))
      }
      var out = [UInt8](repeating: 0, count: size)
      let ok = out.withUnsafeMutableBytes { memory in
        png_image_write_to_memory(&image, memory.baseAddress, &size, 0, pixels.baseAddress, rowStride, nil)
      }
      defer { png_image_free(&image) }
      guard ok != 0 else { throw PNGError.encodingFailed(PNGImage.message(of: image)) }
      return Array(out.prefix(size))
    }
  }

  /// Decodes PNG file bytes of any colour type and bit depth to 8-bit RGBA.
  public init(decoding bytes: [UInt8]) throws {
    guard !bytes.isEmpty else { throw PNGError.decodingFailed("no bytes") }
    var image = PNGImage.emptyControl()
    let pixels: [UInt8] = try bytes.withUnsafeBytes { file in
      guard png_image_begin_read_from_memory(&image, file.baseAddress, file.count) != 0 else {
        defer { png_image_free(&image) }
        throw PNGError.decodingFailed(PNGImage.message(of: image))
      }
      let w = Int(image.width)
      let h = Int(image.height)
      guard w > 0, h > 0, w <= PNGImage.maxSide, h <= PNGImage.maxSide else {
        png_image_free(&image)
        throw PNGError.invalidSize(width: w, height: h)
      }
      image.format = PNGImage.formatRGBA
      var buffer = [UInt8](repeating: 0, count: w * h * 4)
      let ok = buffer.withUnsafeMutableBytes { out in
        png_image_finish_read(&image, nil, out.baseAddress, Int32(w * 4), nil)
      }
      defer { png_image_free(&image) }
      guard ok != 0 else { throw PNGError.decodingFailed(PNGImage.message(of: image)) }
      return buffer
    }
    try self.init(width: Int(image.width), height: Int(image.height), rgba: pixels)
  }

  // PNG_FORMAT_RGBA is a compound macro that Swift does not import:
  // PNG_FORMAT_FLAG_COLOR (0x02) | PNG_FORMAT_FLAG_ALPHA (0x01).
  private static let formatRGBA: UInt32 = 0x02 | 0x01

  private static func emptyControl() -> png_image {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    return image
  }

  /// libpng's error text, a NUL-terminated `char[64]` imported as a tuple.
  private static func message(of image: png_image) -> String {
    var text = image.message
    return withUnsafeBytes(of: &text) { raw in
      let bytes = raw.prefix { $0 != 0 }
      return bytes.isEmpty ? "libpng reported an error" : String(decoding: bytes, as: UTF8.self)
    }
  }
}

/// Why a PNG could not be encoded or decoded.
public enum PNGError: Error, Equatable, CustomStringConvertible {
  /// A side below 1 or above ``PNGImage/maxSide`` pixels.
  case invalidSize(width: Int, height: Int)
  /// The RGBA buffer is not `width * height * 4` bytes.
  case wrongPixelCount(expected: Int, got: Int)
  /// libpng or Cairo could not produce the image; the text is theirs.
  case encodingFailed(String)
  /// The bytes are not a PNG libpng can read; the text is libpng's.
  case decodingFailed(String)

  /// One sentence for the user.
  public var description: String {
    switch self {
    case .invalidSize(let w, let h):
      return "PNG image size \(w)x\(h) is not between 1 and \(PNGImage.maxSide) pixels per side."
    case .wrongPixelCount(let expected, let got):
      return "PNG pixel buffer holds \(got) bytes, expected \(expected) (width x height x 4)."
    case .encodingFailed(let message):
      return "Could not encode PNG: \(message)."
    case .decodingFailed(let message):
      return "Could not decode PNG: \(message)."
    }
  }
}
