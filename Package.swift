// swift-tools-version:5.10
import PackageDescription

let package = Package(
    name: "Graft",
    products: [
        .library(name: "Graft", targets: ["Graft"]),
        .library(name: "GraftExport", targets: ["GraftExport"]),
        .executable(name: "graft", targets: ["graft"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Label files (CSV).
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        // Serving: an HTTP server on SwiftNIO, multipart uploads, Prometheus metrics, logging.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // ONNX export: protobuf encoding (the generated code is committed, no plugin is built).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // C layer: oneDNN 2.x (no pkg-config file, so a hand-written module map) and our own kernels.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .target(name: "CGraftKernels", path: "Sources/CGraftKernels"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng"),
        .systemLibrary(name: "CWebP", path: "Sources/CWebP", pkgConfig: "libwebpdemux"),
        .systemLibrary(name: "CGIF", path: "Sources/CGIF", pkgConfig: "libgif"),
        .systemLibrary(name: "CTIFF", path: "Sources/CTIFF", pkgConfig: "libtiff-4"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto"),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5"),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c"),

        // Files written so that nothing is ever half-written: atomic files, folders replaced as
        // one unit, a lock on an output folder, failures as sentences.
        .target(name: "GraftFiles"),
        // Downloads over HTTP(S) with Foundation's URLSession: resumed with Range requests from a
        // partial file, SHA-256 checked, renamed into place; progress as bytes arrive.
        .target(name: "GraftDownload", dependencies: ["GraftFiles", "COpenSSL"]),
        // Tensor, engine, ops and autodiff.
        .target(name: "GraftCore", dependencies: ["CDNNL", "CGraftKernels"]),
        // Modules with named parameters: the building blocks of models.
        .target(name: "GraftNN", dependencies: ["GraftCore"]),
        // Optimizers and learning-rate schedules.
        .target(name: "GraftOptim", dependencies: ["GraftCore", "GraftFiles"]),
        // Checkpoints: PyTorch files read without executing code, safetensors read and written,
        // Keras' HDF5 weights read through libhdf5.
        .target(name: "GraftCheckpoint", dependencies: [
            "GraftCore", "GraftFiles", "CHDF5", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        // Image folders and label files, decoding, preprocessing, augmentation and the batch loader.
        .target(name: "GraftData", dependencies: [
            "GraftCore", "CTurboJPEG", "CPNG", "CWebP", "CGIF", "CTIFF", .product(name: "SwiftCSV", package: "SwiftCSV"),
        ]),
        // Pretrained backbones and their preprocessing.
        .target(name: "GraftModels", dependencies: [
            "GraftFiles", "GraftDownload", "GraftNN", "GraftOptim", "GraftCheckpoint", "GraftData",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        // Transfer learning: classifier = backbone + head, the two-stage fit loop, saved models, reports.
        .target(name: "GraftTraining", dependencies: [
            "GraftCore", "GraftFiles", "GraftNN", "GraftOptim", "GraftCheckpoint", "GraftData", "GraftModels",
        ]),
        // Data-parallel training over several processes and machines: Open MPI's collectives behind
        // the trainer's narrow WorkerGroup interface (rank, sums, gathers, bucketed gradient allreduce).
        .target(name: "GraftDistributed", dependencies: ["CMPI", "GraftCore", "GraftOptim", "GraftTraining"]),
        // An HTTP inference server over trained and pretrained models: the Open Inference Protocol,
        // an upload API and a page, dynamic batching, metrics. Training knows nothing of it.
        .target(name: "GraftServe", dependencies: [
            "GraftCore", "GraftData", "GraftModels", "GraftTraining",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "MultipartKit", package: "multipart-kit"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // The umbrella library users import.
        .target(name: "Graft", dependencies: [
            "GraftCore", "GraftFiles", "GraftDownload", "GraftNN", "GraftOptim", "GraftCheckpoint", "GraftData", "GraftModels", "GraftTraining",
        ]),
        // ONNX export: a model's inference trace as an ONNX graph, written with swift-protobuf from
        // the .proto subset in ONNX/ (its generated Swift is committed: scripts/generate-onnx-proto.sh).
        .target(name: "GraftExport", dependencies: [
            "Graft", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], exclude: ["ONNX/onnx_subset.proto"]),
        // The command-line tool: a thin layer over the library.
        .executableTarget(name: "graft", dependencies: [
            "Graft", "GraftServe", "GraftExport", "GraftDistributed",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The README's Swift example, built with everything else; a test checks the two agree and runs it.
        .executableTarget(name: "readme-example", dependencies: ["Graft"], path: "Examples/ReadmeExample"),

        // What several test targets share: the built tool run as a process, the Python test tools.
        .target(name: "GraftTestSupport", path: "Tests/GraftTestSupport"),

        .testTarget(name: "GraftCoreTests", dependencies: ["GraftCore"]),
        // A loopback HTTP server (Hummingbird) that serves test checkpoints with Range support.
        .testTarget(name: "GraftDownloadTests", dependencies: [
            "GraftDownload", "GraftModels", "GraftCheckpoint", "GraftTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "GraftFilesTests", dependencies: ["GraftFiles"]),
        .testTarget(name: "GraftNNTests", dependencies: ["GraftNN", "GraftOptim"]),
        .testTarget(name: "GraftOptimTests", dependencies: ["GraftOptim", "GraftNN"]),
        .testTarget(name: "GraftCheckpointTests", dependencies: ["GraftCheckpoint"],
                    exclude: ["Fixtures/make_keras_fixtures.py"], resources: [.copy("Fixtures/keras")]),
        .testTarget(name: "GraftDataTests", dependencies: ["GraftData", "GraftCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GraftModelsTests", dependencies: ["GraftModels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GraftTrainingTests", dependencies: ["GraftTraining", "GraftCheckpoint", "GraftCore", "GraftData", "GraftFiles",
                                                               "GraftModels", "GraftNN", "GraftOptim", "GraftTestSupport"],
                    exclude: ["Fixtures/make_multilabel_metrics.py"], resources: [.copy("Fixtures/multilabel_metrics.json")]),
        // Every module the tests import, named: with only GraftServe named, an incremental build once left
        // these tests compiled against an older layout of a GraftData struct (a crash, not an error).
        .testTarget(name: "GraftServeTests", dependencies: ["GraftServe", "GraftTraining", "GraftModels", "GraftData", "GraftNN", "GraftCore", "GraftTestSupport"]),
        .testTarget(name: "GraftExportTests", dependencies: ["GraftExport", "GraftTestSupport"], exclude: ["Python"]),
    ]
)
