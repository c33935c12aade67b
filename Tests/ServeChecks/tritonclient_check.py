"""Talks to a running `graft serve` with the unmodified tritonclient[http] from PyPI: health,
server and model metadata, then inference with both input kinds (BYTES image files and an FP32
tensor), binary and JSON. Prints one JSON object of what it received; exits non-zero on any
failure. The Swift test that runs it compares the numbers with Graft's own.

usage: tritonclient_check.py HOST:PORT MODEL TENSOR.f32 IMAGE...
TENSOR.f32 holds preprocessed inputs (N, 3, H, W) as little-endian float32, N = number of images.
"""
import json
import sys

import numpy as np
import tritonclient.http as httpclient


def main():
    url, model, tensor_path, images = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    client = httpclient.InferenceServerClient(url=url)
    assert client.is_server_live(), "server not live"
    assert client.is_server_ready(), "server not ready"
    assert client.is_model_ready(model), "model not ready"
    server = client.get_server_metadata()
    metadata = client.get_model_metadata(model)
    inputs = {tensor["name"]: tensor for tensor in metadata["inputs"]}
    shape = inputs["input"]["shape"][1:]

    # BYTES: the encoded files, decoded and preprocessed by the server; binary both ways.
    files = np.array([open(path, "rb").read() for path in images], dtype=np.object_)
    image_input = httpclient.InferInput("images", [len(images)], "BYTES")
    image_input.set_data_from_numpy(files)
    outputs = [httpclient.InferRequestedOutput("probabilities"),
               httpclient.InferRequestedOutput("labels"),
               httpclient.InferRequestedOutput("logits", class_count=3)]
    by_bytes = client.infer(model, [image_input], outputs=outputs)

    # FP32: already preprocessed; once as binary data, once as JSON.
    tensor = np.fromfile(tensor_path, dtype="<f4").reshape([len(images)] + shape)
    results = []
    for binary in (True, False):
        fp32_input = httpclient.InferInput("input", list(tensor.shape), "FP32")
        fp32_input.set_data_from_numpy(tensor, binary_data=binary)
        result = client.infer(model, [fp32_input],
                              outputs=[httpclient.InferRequestedOutput("probabilities", binary_data=binary)])
        results.append(result.as_numpy("probabilities"))

    print(json.dumps({
        "server": server,
        "metadata": metadata,
        "bytes_probabilities": by_bytes.as_numpy("probabilities").tolist(),
        "bytes_labels": [label.decode() for label in by_bytes.as_numpy("labels").tolist()],
        "bytes_top3_logits": [[entry.decode() for entry in row] for row in by_bytes.as_numpy("logits").tolist()],
        "fp32_binary_probabilities": results[0].tolist(),
        "fp32_json_probabilities": results[1].tolist(),
    }))


if __name__ == "__main__":
    main()
