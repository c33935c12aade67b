import ArgumentParser
import Foundation
import Graft
import GraftServe
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve models over HTTP: the Open Inference Protocol, an upload API and a page.",
        discussion: """
            Endpoints: GET / (a page to try the models), POST /v1/models/NAME/predict (an image as the body, or \
            multipart/form-data; ?top=K; answers as graft predict --json), /v2/... (the Open Inference Protocol, as \
            KServe and Triton speak it: health, metadata, infer), GET /metrics (Prometheus). Requests that arrive \
            within --max-delay-ms of each other run as one batch. SIGTERM or Ctrl-C stops accepting, answers what \
            was accepted, and exits 0.
            """)

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "Model folders written by graft train (OUT/model), each as NAME=PATH or PATH (named after its run's folder).")
    var models: [String] = []
    @Option(name: .customLong("backbone"), help: "Also serve this pretrained ImageNet classifier (repeatable).")
    var backbones: [BackboneKind] = []
    @Option(help: "A checkpoint for the --backbone model instead of the fetched weights.") var weights: String?
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0: any free port).") var port = 8080
    @Option(help: "The most images one pass of a model runs.") var maxBatch = 32
    @Option(help: "How long the first waiting image waits for others to join its batch, in milliseconds.") var maxDelayMs = 5.0
    @Option(help: "The most images that may wait for a model; beyond it requests get 503.") var maxQueue = 512
    @Option(help: "How long a request may wait for a model before it gets 503, in seconds.") var timeout = 30.0
    @Option(help: "The largest request body accepted, in MiB.") var maxBodyMb = 16
    @Option(help: "The most pixels an uploaded image may have, in millions.") var maxMegapixels = 40.0

    func validate() throws {
        guard !models.isEmpty || !backbones.isEmpty else {
            throw ValidationError("name a model folder to serve, or a pretrained model with --backbone")
        }
        if weights != nil && backbones.count != 1 { throw ValidationError("--weights needs exactly one --backbone") }
        try renamingSettings(Self.flags) {
            // Checked in the units the flags are given in; the options hold seconds and bytes.
            try checkSetting("--max-delay-ms", maxDelayMs, in: .closed(0, 10_000))
            try checkSetting("--max-body-mb", maxBodyMb, in: 1...1024)
            try checkSetting("--max-megapixels", maxMegapixels, in: .above(0, upTo: 178))
            try options().validate()
        }
    }

    static let flags = ["host": "--host", "port": "--port", "maxBatch": "--max-batch", "queueCapacity": "--max-queue",
                        "timeout": "--timeout"]

    func options() -> ServerOptions {
        ServerOptions(host: host, port: port,
                      batching: BatchingLimits(maxBatch: maxBatch, maxDelay: maxDelayMs / 1000, queueCapacity: maxQueue, timeout: timeout),
                      maxBodyBytes: maxBodyMb << 20, maxPixels: Int(maxMegapixels * 1e6))
    }

    func run() async throws {
        try runtime.apply()
        var served = try models.map { argument in
            let source = try ModelSource(parsing: argument)
            return try ServedModel.trained(name: source.name, folder: source.folder)
        }
        served += try backbones.map { try ServedModel.pretrained($0, weights: weights.map { URL(fileURLWithPath: $0) }) }
        let logger = Logger(label: "graft.serve") { StreamLogHandler.standardError(label: $0) }
        let server = try InferenceServer(models: served, options: options(), version: graftVersion, logger: logger)
        let names = server.modelNames.joined(separator: ", ")
        try await server.run { [host] (port: Int) in
            // Scripts and tests wait for this line (and read the port from it when --port is 0).
            print("graft serve: listening on http://\(host):\(port) (models: \(names))")
            fflush(stdout)
        }
        print("graft serve: stopped")
    }
}
