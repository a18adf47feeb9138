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
    // Weights that pass validation must give finite predictions (the magnitude
    // bound's promise); score a short text of the model's own characters.
    if checkpoint.vocabulary.kind == .unicode, checkpoint.parameters.count < 200_000 {
      let scalars = checkpoint.vocabulary.symbols.prefix(8).compactMap(Unicode.Scalar.init)
      var text = String.UnicodeScalarView()
      for _ in 0..<4 { text.append(contentsOf: scalars) }
      let score = try Scorer(checkpoint: checkpoint).score(String(text))
      if !score.natsPerChar.isFinite { fatalError("a validated checkpoint scores \(score.natsPerChar)") }
    }
  } catch is CellscopeError {
  } catch {
    fatalError("the reader threw a non-domain error: \(error)")
  }
  return 0
}
