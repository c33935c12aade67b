import GraftCore
import GraftModels
import GraftNN
import GraftTraining
import XCTest

/// A trace of a whole classifier (backbone and new head) replays to its logits.
final class ClassifierTraceTests: XCTestCase {
    private func classifier(classes: [String], output: HeadOutput) -> ImageClassifier {
        ImageClassifier(backbone: BackboneKind.mobileNetV2.makeFeatureExtractor(seed: 3), kind: .mobileNetV2, classNames: classes,
                        head: HeadConfiguration(hiddenUnits: [16], dropout: 0.2, output: output), imageSize: 64, seed: 4)
    }

    func testHiddenLayerHeadReplaysToTheLogits() {
        let classifier = classifier(classes: ["a", "b", "c"], output: .softmax)
        let subject = TracedModel(classifier, inputShape: [3, 3, 64, 64]) { classifier($0, context: $1) }
        subject.calibrate()
        for fusion in [true, false] {
            let trace = subject.checkReplay(fusion: fusion)
            XCTAssertEqual(trace.nodes.suffix(4).map(\.op).map(kind), ["globalAveragePool", "linear", "relu", "linear"])
            let (_, head) = (trace.nodes.suffix(3).first!, trace.nodes.last!)
            guard case let .linear(weight, bias) = head.op else { return XCTFail("the head ends with \(head.op)") }
            XCTAssertEqual(trace[weight].name, "head.3.weight")
            XCTAssertEqual(trace[bias!].name, "head.3.bias")
            XCTAssertEqual(trace[trace.output].shape, [3, 3])
        }
        // The trace's output is the classifier's logits, bit for bit.
        let traced = classifier.traceInference(subject.input).output.values
        XCTAssertEqual(traced, classifier.logits(subject.input).values)
    }

    func testSigmoidHeadTracesItsConstantColumn() {
        let classifier = classifier(classes: ["no", "yes"], output: .sigmoid)
        let subject = TracedModel(classifier, inputShape: [3, 3, 64, 64]) { classifier($0, context: $1) }
        subject.calibrate()
        let trace = subject.checkReplay(fusion: true)
        let last = trace.nodes.last!
        XCTAssertEqual(last.op, .concat(axis: 1))
        XCTAssertEqual(trace[last.inputs[0]].role, .constant)
        XCTAssertEqual(trace[last.inputs[0]].values, [0, 0, 0])
    }

    private func kind(_ op: TraceOp) -> String {
        switch op {
        case .activation(let a): return a.rawValue
        case .globalAveragePool: return "globalAveragePool"
        case .linear: return "linear"
        default: return "\(op)"
        }
    }
}
