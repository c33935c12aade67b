import Foundation
import GraftCore
import GraftOptim
import XCTest

/// Stopping after k steps, saving, and resuming into fresh objects must give exactly the run
/// that never stopped.
final class CheckpointTests: XCTestCase {
    private enum Kind: CaseIterable { case sgd, adam, adamW }

    private static let parameterShapes: [(name: String, shape: [Int])] = [
        ("backbone.weight", [2, 3]), ("backbone.bias", [3]), ("frozen.weight", [2]), ("head.weight", [4, 1]), ("head.bias", [1]),
    ]

    private func makeParameters(values: [[Float]]? = nil) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (index, entry) in Self.parameterShapes.enumerated() {
            let count = entry.shape.reduce(1, *)
            let initial = values?[index] ?? (0..<count).map { Float(cos(Double(index * 7 + $0))) }
            result[entry.name] = Tensor(shape: entry.shape, values: initial, requiresGrad: entry.name != "frozen.weight")
        }
        return result
    }

    private func makeOptimizer(_ kind: Kind, _ p: [String: Tensor]) -> Optimizer {
        let groups = [
            ParameterGroup(name: "backbone",
                           parameters: ["backbone.weight", "backbone.bias", "frozen.weight"].map { (name: $0, tensor: p[$0]!) },
                           learningRate: .scaled(0.1)),
            ParameterGroup(name: "head", parameters: ["head.weight", "head.bias"].map { (name: $0, tensor: p[$0]!) },
                           weightDecay: 0),
        ]
        switch kind {
        case .sgd: return SGD(groups: groups, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3, nesterov: true)
        case .adam: return Adam(groups: groups, learningRate: 0.01, weightDecay: 1e-3)
        case .adamW: return AdamW(groups: groups, learningRate: 0.01, weightDecay: 0.05)
        }
    }

    /// Gradients of mean(p * p * c) with c a fixed function of the step, by real autodiff. The
    /// head bias gets none on odd steps, so some state lags behind the rest.
    private func computeGradients(step: Int, _ p: [String: Tensor]) {
        for (name, tensor) in p.sorted(by: { $0.key < $1.key }) where tensor.requiresGrad {
            if name == "head.bias" && step % 2 == 1 { continue }
            let c = Tensor(shape: tensor.shape,
                           values: (0..<tensor.count).map { Float(1 + 0.5 * sin(0.37 * Double(step) + Double($0))) })
            mean(multiply(multiply(tensor, tensor), c)).backward()
        }
    }

    private func train(_ optimizer: Optimizer, _ scheduler: LearningRateScheduler, _ p: [String: Tensor], steps: Range<Int>) {
        for step in steps {
            optimizer.zeroGrad()
            computeGradients(step: step, p)
            optimizer.step()
            scheduler.step()
        }
    }

    private func schedule() -> LearningRateSchedule {
        WarmupCosine(baseLearningRate: 0.05, totalSteps: 10, warmupSteps: 3, warmupStartFactor: 0.1)
    }

    func testResumedRunIsBitForBitTheUninterruptedRun() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("graft-optim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        for kind in Kind.allCases {
            let straight = makeParameters()
            let straightOptimizer = makeOptimizer(kind, straight)
            let straightScheduler = LearningRateScheduler(optimizer: straightOptimizer, schedule: schedule())
            train(straightOptimizer, straightScheduler, straight, steps: 0..<10)

            let first = makeParameters()
            let firstOptimizer = makeOptimizer(kind, first)
            let firstScheduler = LearningRateScheduler(optimizer: firstOptimizer, schedule: schedule())
            train(firstOptimizer, firstScheduler, first, steps: 0..<4)
            let file = directory.appendingPathComponent("\(kind).json")
            try firstOptimizer.stateDict().write(to: file)
            let savedValues = Self.parameterShapes.map { first[$0.name]!.values }

            let resumed = makeParameters(values: savedValues)
            let resumedOptimizer = makeOptimizer(kind, resumed)
            try resumedOptimizer.load(try OptimizerState.read(from: file))
            let resumedScheduler = LearningRateScheduler(optimizer: resumedOptimizer, schedule: schedule(),
                                                         completedSteps: firstScheduler.completedSteps)
            train(resumedOptimizer, resumedScheduler, resumed, steps: 4..<10)

            for (name, _) in Self.parameterShapes {
                XCTAssertEqual(bits(resumed[name]!), bits(straight[name]!), "\(kind) \(name)")
            }
            XCTAssertEqual(try resumedOptimizer.stateDict().encoded(), try straightOptimizer.stateDict().encoded(), "\(kind)")
            XCTAssertNotEqual(straight["head.weight"]!.values, makeParameters()["head.weight"]!.values)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "temporary files left behind")
    }

    func testStateRecordsStepsSettingsAndBuffers() {
        let p = makeParameters()
        let adam = makeOptimizer(.adam, p)
        for step in 0..<3 {
            adam.zeroGrad()
            computeGradients(step: step, p)
            adam.step()
        }
        let state = adam.stateDict()
        XCTAssertEqual(state.optimizer, "Adam")
        XCTAssertEqual(state.hyperParameters, ["beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8])
        XCTAssertEqual(state.groups.map(\.name), ["backbone", "head"])
        XCTAssertEqual(state.groups[0].parameterNames, ["backbone.weight", "backbone.bias", "frozen.weight"])
        XCTAssertEqual(state.groups.map(\.weightDecay), [1e-3, 0])
        XCTAssertEqual(state.parameters["backbone/backbone.weight"]?.step, 3)
        XCTAssertEqual(state.parameters["head/head.bias"]?.step, 2)
        XCTAssertNil(state.parameters["backbone/frozen.weight"])
        XCTAssertEqual(state.parameters["backbone/backbone.weight"]?.buffers["exp_avg"]?.shape, [2, 3])
        XCTAssertEqual(Set(state.parameters["head/head.weight"]!.buffers.keys), ["exp_avg", "exp_avg_sq"])
    }

    func testFloatBuffersRoundTripBitExactThroughBase64() throws {
        let specials: [Float] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                 Float(bitPattern: 0x7fc0_1234), 1e-8, 0.1, -123.456]
        let saved = SavedFloats(shape: [2, 5], values: specials)
        let data = try JSONEncoder().encode(saved)
        let json = String(decoding: data, as: UTF8.self)
        XCTAssert(json.contains("float32LittleEndian"), json)
        let decoded = try JSONDecoder().decode(SavedFloats.self, from: data)
        XCTAssertEqual(decoded.shape, [2, 5])
        XCTAssertEqual(decoded.values.map(\.bitPattern), specials.map(\.bitPattern))
        // Little-endian float32: 1.0 is 00 00 80 3f.
        let one = String(decoding: try JSONEncoder().encode(SavedFloats(shape: [1], values: [1])), as: UTF8.self)
        XCTAssert(one.contains(Data([0, 0, 0x80, 0x3f]).base64EncodedString()), one)
    }

    func testTruncatedBufferFailsToDecode() {
        let json = #"{"shape":[3],"float32LittleEndian":"\#(Data(count: 8).base64EncodedString())"}"#
        XCTAssertThrowsError(try JSONDecoder().decode(SavedFloats.self, from: Data(json.utf8)))
    }

    func testWriteReplacesAnExistingFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("graft-optim-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("old".utf8).write(to: file)
        let p = parameter([1, 2])
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.25, momentum: 0.5)
        setGradient(p, [1, 1])
        sgd.step()
        try sgd.stateDict().write(to: file)
        XCTAssertEqual(try OptimizerState.read(from: file), sgd.stateDict())
    }
}
