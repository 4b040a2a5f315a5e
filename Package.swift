// swift-tools-version:5.10
// irsl: Item Response Scaling Laws, calibrated by distributed joint maximum likelihood.
import PackageDescription

/// Release builds of the math core get the optimiser's full attention; the
/// kernels are plain Swift over contiguous buffers, so `-Ounchecked` removes
/// the bounds checks that would otherwise sit in every inner loop.
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "irsl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "irsl", targets: ["irsl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // C shims: MPI and HDF5 expose their handles as macros, which Swift cannot import.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),

        // The fit's Float32 SIMD pass (every likelihood, K ≤ 4), built for the baseline
        // ISA with AVX2/AVX-512 paths chosen at run time: no -march=native, no libmvec.
        .target(name: "CKernels",
                cSettings: [.unsafeFlags(["-O3", "-ffp-contract=fast", "-fno-math-errno"])],
                linkerSettings: [.linkedLibrary("m")]),
        // Signal flags for checkpoint-on-preemption (a handler may only set a flag).
        .target(name: "CSignal"),
        // Model math: no MPI, no HDF5, testable alone.
        .target(name: "IRT", swiftSettings: fast),
        // Synthetic response matrices with known truth.
        .target(name: "Simulation", dependencies: ["IRT", "Store"], swiftSettings: fast),
        // Communicator abstraction: MPI for jobs, a serial one for tests and single-process runs.
        .target(name: "MessagePassing", dependencies: ["CMPI"]),
        // The documented file formats (docs/format.md): HDF5, and every CSV read or written.
        .target(name: "Store", dependencies: ["CHDF5", "IRT", .product(name: "CSV", package: "CSV.swift")]),
        // The distributed joint-MLE fit loop.
        .target(name: "Calibration", dependencies: ["IRT", "CKernels", "CSignal", "MessagePassing", "Store"], swiftSettings: fast),
        // Evaluation exports (lm-evaluation-harness JSONL, Inspect AI logs, HELM, OpenCompass, leaderboard CSV) → response files.
        // CSV tables are read through Store's CSVTable (the one CSV reader), so Ingest does not link CSV.swift itself.
        .target(name: "Ingest", dependencies: ["Store", .product(name: "ZIPFoundation", package: "ZIPFoundation")], swiftSettings: fast),
        // Item selection, scoring new models, adaptive testing, item diagnostics.
        .target(name: "Selection", dependencies: ["IRT", "Store", "Calibration", "MessagePassing"], swiftSettings: fast),
        // Scaling laws on the abilities: fits, forecasts, backtests.
        .target(name: "ScalingLaw", dependencies: ["IRT", "Store", "Calibration", "MessagePassing"], swiftSettings: fast),
        // Self-contained HTML reports: our small SVG chart module, pages built with Plot.
        .target(name: "HTMLReport", dependencies: ["IRT", "Store", "ScalingLaw", .product(name: "Plot", package: "Plot")], swiftSettings: fast),
        // `irsl scaling-study`'s tables and plot of strong and weak scaling.
        .target(name: "ScalingStudy", dependencies: ["HTMLReport", "Store"]),
        // `irsl fit --config`: a TOML file's [fit] table decoded against a key schema, without the
        // CLI (so the libFuzzer target in fuzz/ reaches it; the schema comes from irsl fit's options).
        .target(name: "Config", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        // The command-line tool, one file per subcommand.
        .executableTarget(name: "irsl", dependencies: [
            "IRT", "Simulation", "MessagePassing", "Store", "Calibration", "Ingest", "Selection", "ScalingLaw", "HTMLReport", "ScalingStudy", "Config",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: fast),

        .testTarget(name: "IRTTests", dependencies: ["IRT"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "IRT"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "IRT"]),
        .testTarget(name: "MessagePassingTests", dependencies: ["MessagePassing"]),
        .testTarget(name: "ScalingStudyTests", dependencies: ["ScalingStudy", "Store"]),
        .testTarget(name: "CalibrationTests", dependencies: ["Calibration", "Simulation", "MessagePassing", "Store", "IRT"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Store"]),
        .testTarget(name: "SelectionTests", dependencies: ["Selection", "IRT", "Store", "Simulation", "Calibration", "MessagePassing"]),
        .testTarget(name: "ScalingLawTests", dependencies: ["ScalingLaw", "IRT", "Store", "Simulation", "Calibration", "MessagePassing"]),
        .testTarget(name: "HTMLReportTests", dependencies: ["HTMLReport", "Store", "IRT"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "CLITests", dependencies: ["Store", "Calibration"]),
    ]
)
