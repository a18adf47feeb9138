/// A fixed-size, zero-initialised block of scalars with reference semantics.
///
/// The LSTM's caches and gradients live in these so that the hot loops work on
/// raw pointers without copy-on-write checks or per-step allocation.
public final class Buffer<S: LSTMScalar>: @unchecked Sendable {
  public let count: Int
  public let p: UnsafeMutablePointer<S>

  public init(_ count: Int) {
    self.count = count
    p = .allocate(capacity: Swift.max(count, 1))
    p.initialize(repeating: 0, count: Swift.max(count, 1))
  }

  public convenience init(_ values: [S]) {
    self.init(values.count)
    for i in 0..<values.count { p[i] = values[i] }
  }

  deinit { p.deallocate() }

  public subscript(i: Int) -> S {
    get { p[i] }
    set { p[i] = newValue }
  }

  public func zero() { p.update(repeating: 0, count: count) }

  public func copy(from other: Buffer<S>) {
    precondition(other.count == count, "buffer sizes differ")
    p.update(from: other.p, count: count)
  }

  public var array: [S] { Array(UnsafeBufferPointer(start: p, count: count)) }
}
