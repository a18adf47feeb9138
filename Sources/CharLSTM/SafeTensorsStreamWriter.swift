import Foundation

/// Element types the streaming writer stores, named as in safetensors' header.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
  case f32 = "F32", f16 = "F16", i32 = "I32", i64 = "I64"

  /// Bytes per element.
  public var width: Int {
    switch self {
    case .f16: return 2
    case .f32, .i32: return 4
    case .i64: return 8
    }
  }

  var isFloat: Bool { self == .f32 || self == .f16 }
}

/// Writes a safetensors file too large to hold in memory: the header first (every
/// shape is known before the data), then each tensor filled piece by piece with
/// `pwrite` at computed offsets, in any order.
///
/// The file is built as a temporary file beside the target (`.NAME.tmp-XXXXXX`)
/// and only `commit()` fsyncs it and renames it over the target, so an error,
/// `abandon()` or an interruption leaves the previous file intact and no
/// temporary file (a SIGKILL can leave the temporary file, never a half target).
///
/// Layout, as the reference implementation writes it: 8-byte little-endian header
/// length N; N bytes of JSON (keys sorted, `__metadata__` first, padded with
/// spaces to a multiple of 8); then the tensors without gaps, ordered by element
/// width (widest first), then by name, so that every tensor starts at a multiple
/// of its element width from the start of the file.
public final class SafeTensorsStreamWriter {
  public struct Entry: Sendable, Equatable {
    public var name: String
    public var dtype: SafeTensorsDType
    public var shape: [Int]
    public init(_ name: String, _ dtype: SafeTensorsDType, _ shape: [Int]) {
      self.name = name
      self.dtype = dtype
      self.shape = shape
    }
    public var count: Int { shape.reduce(1, *) }
    public var byteCount: Int { count * dtype.width }
  }

  /// The target path (a symbolic link is followed: its target is replaced).
  public let path: String
  /// The file being written until `commit()`.
  public let temporaryPath: String
  /// The tensors in data order.
  public let entries: [Entry]
  /// File offset of the first data byte (8 + header length).
  public let dataStart: Int
  /// Total file size in bytes.
  public let fileSize: Int
  private let begins: [String: (entry: Entry, offset: Int)]  // offsets within the data section
  private var fd: Int32
  private var finished = false
  private var scratch: [UInt8] = []

  /// Creates the temporary file and writes the header; nothing touches `path` yet.
  ///
  /// - Throws: `invalidOption` for duplicate or empty names or negative sizes;
  ///   `unwritableOutput` when `path` is a folder or its folder cannot hold a new file.
  public init(path: String, tensors: [Entry], metadata: [String: String] = [:]) throws {
    var target = path
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
      // Replace the link's target, as writing through the link would, not the link.
      target =
        resolved.hasPrefix("/")
        ? resolved
        : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(resolved).path
    }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
      throw CellscopeError.unwritableOutput(path, reason: "it is a folder, not a file")
    }
    guard Set(tensors.map(\.name)).count == tensors.count, !tensors.contains(where: { $0.name.isEmpty }),
      !tensors.contains(where: { $0.name == "__metadata__" || $0.shape.contains { $0 < 0 } })
    else { throw CellscopeError.invalidOption("tensor names must be distinct and shapes non-negative") }
    self.path = target
    entries = tensors.sorted { a, b in
      a.dtype.width != b.dtype.width ? a.dtype.width > b.dtype.width : a.name < b.name
    }
    var begins: [String: (entry: Entry, offset: Int)] = [:]
    var offset = 0
    for e in entries {
      begins[e.name] = (e, offset)
      offset += e.byteCount
    }
    self.begins = begins
    let header = SafeTensorsStreamWriter.header(entries: entries, metadata: metadata)
    dataStart = 8 + header.count
    fileSize = dataStart + offset

    let url = URL(fileURLWithPath: target)
    var template = Array(
      (url.deletingLastPathComponent().path + "/." + url.lastPathComponent + ".tmp-XXXXXX").utf8CString)
    fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
      throw CellscopeError.unwritableOutput(path, reason: String(cString: strerror(errno)))
    }
    temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    fchmod(fd, 0o644)  // mkstemp makes it 0600; a data file others may read, like the checkpoints
    var lengthAndHeader: [UInt8] = []
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { lengthAndHeader.append(contentsOf: $0) }
    lengthAndHeader.append(contentsOf: header)
    do {
      try lengthAndHeader.withUnsafeBytes { try writeFully($0, at: 0) }
      // Sized now, so that a file system that cannot hold it fails before the work.
      guard ftruncate(fd, off_t(fileSize)) == 0 else { throw failure() }
    } catch {
      abandon()
      throw error
    }
  }

  deinit { if !finished { abandon() } }

  /// The header JSON (padded to a multiple of 8), with data offsets for `entries` taken in the order given.
  static func header(entries: [Entry], metadata: [String: String]) -> [UInt8] {
    var offset = 0
    var items: [(String, String)] = []
    for e in entries {
      let shape = e.shape.map(String.init).joined(separator: ",")
      items.append(
        (
          e.name,
          "{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + e.byteCount)]}"
        ))
      offset += e.byteCount
    }
    var parts: [String] = []
    if !metadata.isEmpty {
      let meta = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
      parts.append("\"__metadata__\":{" + meta.joined(separator: ",") + "}")
    }
    parts += items.sorted { $0.0 < $1.0 }.map { "\(jsonString($0.0)):\($0.1)" }
    var bytes = Array(("{" + parts.joined(separator: ",") + "}").utf8)
    while bytes.count % 8 != 0 { bytes.append(0x20) }
    return bytes
  }

  /// File offset of element `element` (flat, row-major) of tensor `name`.
  public func fileOffset(of name: String, element: Int = 0) -> Int? {
    guard let b = begins[name] else { return nil }
    return dataStart + b.offset + element * b.entry.dtype.width
  }

  /// Stores `values` as elements `element ..< element + values.count` of a float
  /// tensor (F32 as is, F16 rounded to nearest even; see ``floatToHalfBits(_:)``).
  public func write(_ name: String, at element: Int, _ values: UnsafeBufferPointer<Float>) throws {
    let e = try check(name, element, values.count, float: true)
    try encode(values.count, width: e.dtype.width) { out in
      if e.dtype == .f32 {
        for (j, v) in values.enumerated() {
          out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * j, as: UInt32.self)
        }
      } else {
        for (j, v) in values.enumerated() {
          out.storeBytes(of: floatToHalfBits(v).littleEndian, toByteOffset: 2 * j, as: UInt16.self)
        }
      }
    }
    try flush(name, element)
  }

  /// Stores `values` as elements of an integer tensor (I32 as is, I64 widened).
  public func write(_ name: String, at element: Int, _ values: UnsafeBufferPointer<Int32>) throws {
    let e = try check(name, element, values.count, float: false)
    try encode(values.count, width: e.dtype.width) { out in
      for (j, v) in values.enumerated() {
        if e.dtype == .i32 {
          out.storeBytes(of: v.littleEndian, toByteOffset: 4 * j, as: Int32.self)
        } else {
          out.storeBytes(of: Int64(v).littleEndian, toByteOffset: 8 * j, as: Int64.self)
        }
      }
    }
    try flush(name, element)
  }

  /// Makes the file durable and puts it in place: fsync, rename over the target,
  /// fsync of the folder. On failure the temporary file is removed.
  public func commit() throws {
    precondition(!finished, "commit after commit or abandon")
    guard fsync(fd) == 0 else {
      let error = failure()
      abandon()
      throw error
    }
    close(fd)
    finished = true
    guard rename(temporaryPath, path) == 0 else {
      let error = failure()
      unlink(temporaryPath)
      throw error
    }
    let folder = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY)
    if folder >= 0 {
      fsync(folder)
      close(folder)
    }
  }

  /// Removes the temporary file; the target is untouched. Safe to call twice.
  public func abandon() {
    guard !finished else { return }
    finished = true
    close(fd)
    unlink(temporaryPath)
  }

  // MARK: Private

  private func check(_ name: String, _ element: Int, _ count: Int, float: Bool) throws -> Entry {
    guard !finished, let b = begins[name], b.entry.dtype.isFloat == float, element >= 0,
      element + count <= b.entry.count
    else {
      abandon()  // any failed write ends the file, so that no caller can leave a half one behind
      throw CellscopeError.invalidOption(
        "internal error: write of \(count) elements at \(element) does not fit tensor \(name)")
    }
    return b.entry
  }

  private var pendingCount = 0

  private func encode(_ count: Int, width: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) throws {
    if scratch.count < count * width { scratch = [UInt8](repeating: 0, count: count * width) }
    pendingCount = count * width
    scratch.withUnsafeMutableBytes { body($0) }
  }

  private func flush(_ name: String, _ element: Int) throws {
    let offset = fileOffset(of: name, element: element)!
    let n = pendingCount
    do {
      try scratch.withUnsafeBytes { try writeFully(UnsafeRawBufferPointer(rebasing: $0[0..<n]), at: offset) }
    } catch {
      abandon()
      throw error
    }
  }

  private func writeFully(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
    var done = 0
    while done < bytes.count {
      let w = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
      if w < 0 && errno == EINTR { continue }
      guard w > 0 else { throw failure() }
      done += w
    }
  }

  private func failure() -> CellscopeError {
    .unwritableOutput(path, reason: String(cString: strerror(errno)))
  }
}

/// IEEE 754 binary16 bits of `x`, rounded to nearest, ties to even, as
/// `Float16(x)` does: overflow gives ±infinity (from 65520 up), values below
/// 2⁻²⁴·½ give ±0, NaN stays NaN (quiet, payload truncated).
///
/// Written out because Swift's conversion is a library call per value on x86
/// without F16C, and this one is branch-light and inlined.
@inline(__always)
public func floatToHalfBits(_ x: Float) -> UInt16 {
  let u = x.bitPattern
  let sign = UInt16((u >> 16) & 0x8000)
  let exp = Int32((u >> 23) & 0xFF), mant = u & 0x7F_FFFF
  if exp == 0xFF { return sign | 0x7C00 | (mant != 0 ? 0x200 | UInt16(mant >> 13) : 0) }
  let e = exp - 127 + 15  // rebiased exponent
  if e >= 31 { return sign | 0x7C00 }
  if e <= 0 {
    // Subnormal half (or zero): shift the mantissa with its hidden bit into place.
    guard e >= -10 else { return sign }
    let m = mant | 0x80_0000, shift = UInt32(14 - e)  // 14..24
    let half = m >> shift, rest = m & ((1 << shift) - 1), halfway = UInt32(1) << (shift - 1)
    let up = rest > halfway || (rest == halfway && (half & 1) == 1)
    return sign | UInt16(half + (up ? 1 : 0))
  }
  let half = (UInt32(e) << 10) | (mant >> 13), rest = mant & 0x1FFF
  let up = rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)
  // A carry out of the mantissa rolls into the exponent, up to infinity: the right result.
  return sign | UInt16(half + (up ? 1 : 0))
}
