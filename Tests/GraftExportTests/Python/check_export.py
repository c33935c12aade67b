#!/usr/bin/env python3
"""Checks an ONNX file that Graft exported against Graft's own outputs.

Reads a JSON spec that the Swift test wrote:
    {"model": "x.onnx", "dynamic_batch": true, "outputs": ["probabilities", "logits"],
     "cases": [{"input": "in.f32", "shape": [1, 3, 224, 224], "expected": {"logits": "l.f32", ...}}, ...]}
where every .f32 file holds little-endian float32 values in row-major order.

1. onnx.checker.check_model(full_check=True): the format, the operator schemas and ONNX's own
   shape inference (strict) against the shapes the file declares.
2. The graph's input and outputs: names, float32, the batch dimension symbolic or fixed.
3. ONNX Runtime (CPU) on each case's input; for each output, the largest difference from Graft's
   divided by the largest magnitude of Graft's.

Prints one JSON object: {"checker": "ok", "cases": [{"batch": N, "errors": {"logits": e, ...}}]}.
Exits 1 with the reason on standard error when the checker or a structural check fails.
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort


def fail(reason):
    print(reason, file=sys.stderr)
    sys.exit(1)


def dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    model = onnx.load(spec["model"])
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as error:  # the checker's own exception types vary between versions
        fail(f"onnx.checker: {error}")

    graph = model.graph
    if [i.name for i in graph.input] != ["input"]:
        fail(f"graph inputs {[i.name for i in graph.input]}, expected ['input']")
    if [o.name for o in graph.output] != spec["outputs"]:
        fail(f"graph outputs {[o.name for o in graph.output]}, expected {spec['outputs']}")
    for value in list(graph.input) + list(graph.output):
        if value.type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
            fail(f"{value.name} is not float32")
        batch = dims(value)[0]
        if spec["dynamic_batch"] and batch != "batch":
            fail(f"{value.name}'s first dimension is {batch!r}, not the symbolic 'batch'")
    if any(node.op_type in ("Dropout", "BatchNormalization") for node in graph.node):
        fail("the graph still has Dropout or BatchNormalization nodes")

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(spec["model"], options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    results = []
    for case in spec["cases"]:
        x = np.fromfile(case["input"], dtype="<f4").reshape(case["shape"])
        outputs = dict(zip(names, session.run(None, {"input": x})))
        errors = {}
        for name, path in case["expected"].items():
            expected = np.fromfile(path, dtype="<f4").reshape(outputs[name].shape)
            errors[name] = float(np.abs(outputs[name] - expected).max() / np.abs(expected).max())
        results.append({"batch": case["shape"][0], "errors": errors})
    print(json.dumps({"checker": "ok", "cases": results}))


if __name__ == "__main__":
    main()
