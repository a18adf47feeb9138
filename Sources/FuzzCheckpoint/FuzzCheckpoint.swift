import CharLSTM

/// libFuzzer's entry point: the checkpoint reader (safetensors header, metadata,
/// tensors, then the checkpoint's cross-checks) must answer every input with a
/// checkpoint or a `CellscopeError`, never a trap, and must never allocate more
/// than the input's size warrants (the address sanitizer's allocator limit).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  do {
    let checkpoint = try Checkpoint(bytes: bytes, name: "fuzz")
    // What loads must also save and run: the first step of analyse and resume.
    _ = try checkpoint.serialized()
    _ = checkpoint.network(Float.self)
  } catch is CellscopeError {
  } catch {
    fatalError("the reader threw a non-domain error: \(error)")
  }
  return 0
}
