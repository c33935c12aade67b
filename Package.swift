// swift-tools-version:5.10
import PackageDescription

let package = Package(
    name: "Graft",
    products: [
        .library(name: "Graft", targets: ["Graft"]),
        .executable(name: "graft", targets: ["graft"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C layer: oneDNN 2.x (no pkg-config file, so a hand-written module map) and our own kernels.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .target(name: "CGraftKernels", path: "Sources/CGraftKernels"),

        // Tensor, engine, ops and autodiff.
        .target(name: "GraftCore", dependencies: ["CDNNL", "CGraftKernels"]),
        // Modules with named parameters: the building blocks of models.
        .target(name: "GraftNN", dependencies: ["GraftCore"]),
        // Optimizers and learning-rate schedules.
        .target(name: "GraftOptim", dependencies: ["GraftCore"]),
        // The umbrella library users import, plus the benchmarks it exposes.
        .target(name: "Graft", dependencies: ["GraftCore", "GraftNN", "GraftOptim"]),
        // The command-line tool: a thin layer over the library.
        .executableTarget(name: "graft", dependencies: [
            "Graft",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "GraftCoreTests", dependencies: ["GraftCore"]),
        .testTarget(name: "GraftNNTests", dependencies: ["GraftNN", "GraftOptim"]),
        .testTarget(name: "GraftOptimTests", dependencies: ["GraftOptim", "GraftNN"]),
    ]
)
