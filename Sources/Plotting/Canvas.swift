import CCairo
import Foundation

/// A rectangle in pixel coordinates (origin top left, y grows downwards).
struct Rect: Equatable, Sendable {
  var x: Double
  var y: Double
  var width: Double
  var height: Double

  var minX: Double { x }
  var maxX: Double { x + width }
  var minY: Double { y }
  var maxY: Double { y + height }
  var midX: Double { x + width / 2 }
  var midY: Double { y + height / 2 }

  /// The rectangle shrunk by the given amounts on each side (never below zero size).
  func inset(left: Double = 0, top: Double = 0, right: Double = 0, bottom: Double = 0) -> Rect {
    Rect(
      x: x + left, y: y + top,
      width: max(0, width - left - right), height: max(0, height - top - bottom))
  }

  func contains(_ px: Double, _ py: Double) -> Bool {
    px >= minX && px <= maxX && py >= minY && py <= maxY
  }
}

/// Horizontal placement of text relative to its anchor point.
enum HAlign: Sendable { case left, center, right }

/// Vertical placement of text relative to its anchor point. `.middle` centres
/// the font's ascent-minus-descent box, which puts digits and capitals centred.
enum VAlign: Sendable { case top, middle, baseline, bottom }

/// Size of a piece of text: advance width, and the font's ascent and descent.
struct TextMetrics: Equatable, Sendable {
  var width: Double
  var ascent: Double
  var descent: Double
  var height: Double { ascent + descent }
}

/// Shapes for scatter and series markers.
public enum MarkerShape: Sendable, CaseIterable {
  case circle, square, diamond, triangle
}

/// A small drawing API over a Cairo ARGB32 image surface.
///
/// This is the only file that imports Cairo. Everything is anti-aliased and
/// drawn at 1 pixel per unit. Text uses Cairo's "toy" text API with the
/// DejaVu Sans family, greyscale anti-aliasing and no metric hinting, so a
/// given input renders to the same pixels every time on a given machine.
/// `pngData()` converts Cairo's premultiplied native-endian ARGB to straight
/// RGBA and encodes it with ``PNGImage`` (Cairo's own PNG writer is not used).
///
/// A canvas is single-threaded scratch state: create one per image.
final class Canvas {
  let width: Int
  let height: Int
  private let surface: OpaquePointer
  private let cr: OpaquePointer

  static let fontFamily = "DejaVu Sans"

  /// A `width` x `height` canvas filled with `background`.
  init(width: Int, height: Int, background: RGBColor = Palette.background) throws {
    guard width > 0, height > 0, width <= PNGImage.maxSide, height <= PNGImage.maxSide else {
      throw PNGError.invalidSize(width: width, height: height)
    }
    guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height)) else {
      throw PNGError.encodingFailed("Cairo could not create a \(width)x\(height) surface")
    }
    guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let cr = cairo_create(surface) else {
      cairo_surface_destroy(surface)
      throw PNGError.encodingFailed("Cairo could not create a \(width)x\(height) surface")
    }
    self.width = width
    self.height = height
    self.surface = surface
    self.cr = cr

    let options = cairo_font_options_create()
    cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_SLIGHT)
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
    cairo_set_font_options(cr, options)
    cairo_font_options_destroy(options)
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT)
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)

    setColor(background, alpha: 1)
    cairo_paint(cr)
  }

  deinit {
    cairo_destroy(cr)
    cairo_surface_destroy(surface)
  }

  var bounds: Rect { Rect(x: 0, y: 0, width: Double(width), height: Double(height)) }

  // MARK: Lines and shapes

  /// A straight line. `dash` lists on/off lengths in pixels (empty: solid).
  func line(
    _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double,
    color: RGBColor, width: Double = 1, alpha: Double = 1, dash: [Double] = []
  ) {
    cairo_new_path(cr)
    cairo_move_to(cr, x0, y0)
    cairo_line_to(cr, x1, y1)
    stroke(color: color, width: width, alpha: alpha, dash: dash)
  }

  /// A connected line through `points`; a non-finite point breaks the line in two.
  func polyline(
    _ points: [(x: Double, y: Double)], color: RGBColor, width: Double = 1, alpha: Double = 1,
    dash: [Double] = []
  ) {
    cairo_new_path(cr)
    var penDown = false
    for p in points {
      guard p.x.isFinite, p.y.isFinite else {
        penDown = false
        continue
      }
      if penDown { cairo_line_to(cr, p.x, p.y) } else { cairo_move_to(cr, p.x, p.y) }
      penDown = true
    }
    stroke(color: color, width: width, alpha: alpha, dash: dash)
  }

  func fillRect(_ r: Rect, color: RGBColor, alpha: Double = 1) {
    cairo_new_path(cr)
    cairo_rectangle(cr, r.x, r.y, r.width, r.height)
    setColor(color, alpha: alpha)
    cairo_fill(cr)
  }

  func strokeRect(_ r: Rect, color: RGBColor, width: Double = 1, alpha: Double = 1) {
    cairo_new_path(cr)
    cairo_rectangle(cr, r.x, r.y, r.width, r.height)
    stroke(color: color, width: width, alpha: alpha, dash: [])
  }

  /// A marker of `size` pixels across centred on (`x`, `y`), filled and optionally outlined.
  func marker(
    _ shape: MarkerShape, x: Double, y: Double, size: Double, fill: RGBColor, fillAlpha: Double = 1,
    stroke strokeColor: RGBColor? = nil, strokeWidth: Double = 1
  ) {
    guard x.isFinite, y.isFinite else { return }
    let r = size / 2
    cairo_new_path(cr)
    switch shape {
    case .circle:
      cairo_arc(cr, x, y, r, 0, 2 * Double.pi)
    case .square:
      let s = r * 0.886  // same area as the circle
      cairo_rectangle(cr, x - s, y - s, 2 * s, 2 * s)
    case .diamond:
      let s = r * 1.25
      cairo_move_to(cr, x, y - s)
      cairo_line_to(cr, x + s, y)
      cairo_line_to(cr, x, y + s)
      cairo_line_to(cr, x - s, y)
      cairo_close_path(cr)
    case .triangle:
      let s = r * 1.35
      cairo_move_to(cr, x, y - s)
      cairo_line_to(cr, x + s * 0.866, y + s * 0.5)
      cairo_line_to(cr, x - s * 0.866, y + s * 0.5)
      cairo_close_path(cr)
    }
    setColor(fill, alpha: fillAlpha)
    if let strokeColor {
      cairo_fill_preserve(cr)
      stroke(color: strokeColor, width: strokeWidth, alpha: 1, dash: [])
    } else {
      cairo_fill(cr)
    }
  }

  // MARK: Text

  /// The advance width of `text` and the font's ascent and descent at `size` pixels.
  func measure(_ text: String, size: Double, bold: Bool = false) -> TextMetrics {
    selectFont(size: size, bold: bold)
    var te = cairo_text_extents_t()
    cairo_text_extents(cr, text, &te)
    var fe = cairo_font_extents_t()
    cairo_font_extents(cr, &fe)
    return TextMetrics(width: te.x_advance, ascent: fe.ascent, descent: fe.descent)
  }

  /// Draws `text` anchored at (`x`, `y`). With `vertical`, the text reads bottom to
  /// top (rotated a quarter turn anticlockwise) and the alignments apply along it.
  func text(
    _ text: String, x: Double, y: Double, size: Double, color: RGBColor = Palette.text,
    bold: Bool = false, align: HAlign = .left, valign: VAlign = .baseline, vertical: Bool = false
  ) {
    guard !text.isEmpty, x.isFinite, y.isFinite else { return }
    let m = measure(text, size: size, bold: bold)
    let dx: Double
    switch align {
    case .left: dx = 0
    case .center: dx = -m.width / 2
    case .right: dx = -m.width
    }
    let dy: Double
    switch valign {
    case .top: dy = m.ascent
    case .middle: dy = (m.ascent - m.descent) / 2
    case .baseline: dy = 0
    case .bottom: dy = -m.descent
    }
    cairo_save(cr)
    cairo_translate(cr, x, y)
    if vertical { cairo_rotate(cr, -Double.pi / 2) }
    cairo_move_to(cr, dx, dy)
    setColor(color, alpha: 1)
    cairo_show_text(cr, text)
    cairo_new_path(cr)
    cairo_restore(cr)
  }

  /// Runs `body` with drawing restricted to `rect`.
  func clipped(to rect: Rect, _ body: () -> Void) {
    cairo_save(cr)
    cairo_new_path(cr)
    cairo_rectangle(cr, rect.x, rect.y, rect.width, rect.height)
    cairo_clip(cr)
    body()
    cairo_restore(cr)
  }

  // MARK: Output

  /// The canvas as straight-alpha RGBA pixels.
  func image() throws -> PNGImage {
    cairo_surface_flush(surface)
    guard let data = cairo_image_surface_get_data(surface) else {
      throw PNGError.encodingFailed("Cairo surface has no pixel data")
    }
    let stride = Int(cairo_image_surface_get_stride(surface))
    var rgba = [UInt8](repeating: 0, count: width * height * 4)
    rgba.withUnsafeMutableBufferPointer { out in
      for row in 0..<height {
        // Each ARGB32 pixel is one native-endian UInt32: A in the top byte, then R, G, B.
        let line = UnsafeRawPointer(data + row * stride)
        for col in 0..<width {
          let p = line.loadUnaligned(fromByteOffset: col * 4, as: UInt32.self)
          let a = (p >> 24) & 0xFF
          var r = (p >> 16) & 0xFF
          var g = (p >> 8) & 0xFF
          var b = p & 0xFF
          if a != 0 && a != 255 {
            // Undo premultiplication, rounding to nearest.
            r = min(255, (r * 255 + a / 2) / a)
            g = min(255, (g * 255 + a / 2) / a)
            b = min(255, (b * 255 + a / 2) / a)
          }
          let i = (row * width + col) * 4
          out[i] = UInt8(r)
          out[i + 1] = UInt8(g)
          out[i + 2] = UInt8(b)
          out[i + 3] = UInt8(a)
        }
      }
    }
    return try PNGImage(width: width, height: height, rgba: rgba)
  }

  /// The canvas encoded as PNG file bytes.
  func pngData() throws -> [UInt8] {
    try image().encoded()
  }

  // MARK: Private

  private func setColor(_ c: RGBColor, alpha: Double) {
    cairo_set_source_rgba(
      cr, Double(c.r) / 255, Double(c.g) / 255, Double(c.b) / 255, min(max(alpha, 0), 1))
  }

  private func stroke(color: RGBColor, width: Double, alpha: Double, dash: [Double]) {
    setColor(color, alpha: alpha)
    cairo_set_line_width(cr, width)
    dash.withUnsafeBufferPointer { d in
      cairo_set_dash(cr, d.baseAddress, Int32(d.count), 0)
    }
    cairo_stroke(cr)
    cairo_set_dash(cr, nil, 0, 0)
  }

  private func selectFont(size: Double, bold: Bool) {
    cairo_select_font_face(
      cr, Canvas.fontFamily, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL
    )
    cairo_set_font_size(cr, size)
  }
}
