import Interpretability

/// The text every fuzzed features file is resolved against: prose, markup and code, with the
/// delimiters the examples use, so that spans, patterns and distances have something to find.
let fuzzText = Array(
  "The \"quote\" and [[link]] at http://x.org/a?b=1 {a {b} c} $x^2$ \\begin{eq} y \\end{eq}\n"
    .unicodeScalars)

/// libFuzzer's entry point: the features-file reader (YAML or JSON, then every entry's checks, then
/// the features resolved on a text and scanned) must answer every input with features or a
/// `FeatureFileError`, never a trap. Labels files are looked for in an empty folder.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFeatures(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let yaml = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  do {
    let file = try FeatureFile.parse(yaml: yaml, file: "fuzz.yaml", folder: "/nonexistent-cellscope-fuzz")
    for feature in try file.features(for: fuzzText) {
      let values = feature.values(in: fuzzText)
      if values.count != fuzzText.count || values.contains(where: { !$0.isFinite }) {
        fatalError("feature \(feature.id) gave \(values.count) values or a non-finite one")
      }
    }
  } catch {
    // FeatureFileError: a sentence, as for a user.
  }
  return 0
}
