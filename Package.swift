// swift-tools-version: 6.0
import PackageDescription

let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
  name: "cellscope",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "cellscope", targets: ["cellscope"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
    .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
  ],
  targets: [
    // System libraries: each is imported by exactly one Swift file.
    .systemLibrary(
      name: "CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CPNG", pkgConfig: "libpng16",
      providers: [.apt(["libpng-dev"])]),
    .systemLibrary(
      name: "CCairo", pkgConfig: "cairo",
      providers: [.apt(["libcairo2-dev"])]),

    // The numeric modules are optimised in debug builds too: their SIMD kernels and
    // per-character loops run many times slower at -Onone, which would make the
    // training and analysis tests crawl. Nothing else changes between configurations.
    // The packed recurrent-product kernel (AVX-512, chosen at run time); -O2 in
    // debug too, since at -O0 its accumulators leave the registers (40x slower).
    .target(name: "CPackedKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
    .target(name: "CharLSTM", dependencies: ["CBLAS", "CPackedKernels"], swiftSettings: optimisedInDebug),
    .target(
      name: "Interpretability",
      dependencies: ["CharLSTM", "CPackedKernels", .product(name: "Yams", package: "Yams")],
      swiftSettings: optimisedInDebug),
    // The generated demo text: depends on nothing, so the model cannot grow into it.
    .target(name: "DemoCorpus"),
    // Canvas, axes, line/histogram/scatter plots and PNG encoding; knows nothing of models.
    .target(name: "Plotting", dependencies: ["CPNG", "CCairo"]),
    // The site: view models, templates, writer; draws its figures with Plotting.
    .target(
      name: "Report",
      dependencies: [
        "Interpretability", "CharLSTM", "Plotting",
        .product(name: "Mustache", package: "swift-mustache"),
      ]),
    // `cellscope bench`: timings through the public API of the model and the recorder.
    .target(
      name: "CellscopeBenchmarks", dependencies: ["CharLSTM", "Interpretability"],
      swiftSettings: optimisedInDebug),
    .executableTarget(
      name: "cellscope",
      dependencies: [
        "CharLSTM", "Interpretability", "Report", "Pipeline", "DemoCorpus", "CellscopeBenchmarks",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .testTarget(name: "CharLSTMTests", dependencies: ["CharLSTM"], resources: [.copy("Fixtures")]),
    .testTarget(name: "InterpretabilityTests", dependencies: ["Interpretability", "CharLSTM", "DemoCorpus"]),
    .testTarget(name: "DemoCorpusTests", dependencies: ["DemoCorpus"]),
    .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
    .testTarget(
      name: "ReportTests", dependencies: ["Report", "Plotting", "Interpretability", "CharLSTM"],
      exclude: ["Goldens"]),
    // Depends on the executable so that it is always rebuilt before these tests run it.
    .testTarget(name: "CLITests", dependencies: ["CharLSTM", "cellscope"]),
    // The pipeline: the jobs end to end (train, analyse, report, run, demo).
    .target(
      name: "Pipeline",
      dependencies: ["CharLSTM", "Interpretability", "Report", "DemoCorpus", "NGramBaseline"]),
    .testTarget(
      name: "PipelineTests",
      dependencies: ["Pipeline", "Report", "Interpretability", "CharLSTM", "NGramBaseline"]),

    // The n-gram baseline and error taxonomy (issue 14): no dependencies, so it builds alone.
    .target(name: "NGramBaseline", swiftSettings: optimisedInDebug),
    .testTarget(name: "NGramBaselineTests", dependencies: ["NGramBaseline"]),
  ],
  swiftLanguageModes: [.v6]
)

// The libFuzzer target for the checkpoint reader, only when CELLSCOPE_FUZZ is set
// (scripts/fuzz.sh sets it), so that normal builds and CI never see it.
if Context.environment["CELLSCOPE_FUZZ"] != nil {
  // SwiftPM defines an executable's main as FuzzCheckpoint_main; the C driver
  // provides it and starts libFuzzer (LLVMFuzzerRunDriver).
  package.targets += [
    .target(name: "FuzzDriver", path: "Sources/FuzzCheckpoint/Driver"),
    .executableTarget(
      name: "FuzzCheckpoint", dependencies: ["CharLSTM", "FuzzDriver"], path: "Sources/FuzzCheckpoint/Target"),
    .executableTarget(name: "FuzzFeatures", dependencies: ["Interpretability", "FuzzDriver"]),
  ]
}
