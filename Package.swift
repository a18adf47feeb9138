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
    .target(name: "Interpretability", dependencies: ["CharLSTM"], swiftSettings: optimisedInDebug),
    .target(
      name: "Report",
      dependencies: [
        "Interpretability", "CharLSTM", "CPNG", "CCairo",
        .product(name: "Mustache", package: "swift-mustache"),
      ]),
    .executableTarget(
      name: "cellscope",
      dependencies: [
        "CharLSTM", "Interpretability", "Report", "Pipeline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .testTarget(name: "CharLSTMTests", dependencies: ["CharLSTM"], resources: [.copy("Fixtures")]),
    .testTarget(name: "InterpretabilityTests", dependencies: ["Interpretability", "CharLSTM"]),
    .testTarget(name: "ReportTests", dependencies: ["Report", "Interpretability", "CharLSTM"], exclude: ["Goldens"]),
    // The pipeline: the jobs end to end (train, analyse, report, run, demo).
    .target(name: "Pipeline", dependencies: ["CharLSTM", "Interpretability", "Report"]),
    .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Report", "Interpretability", "CharLSTM"]),
    // Depends on the executable so that it is always rebuilt before these tests run it.
    .testTarget(name: "CLITests", dependencies: ["CharLSTM", "cellscope"]),
  ],
  swiftLanguageModes: [.v6]
)
