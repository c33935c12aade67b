#!/usr/bin/env python3
"""Classify images with an ONNX file that `graft export` wrote, without Graft.

Everything comes from the file: the preprocessing in its metadata ("preprocessing": the resize
and crop rule, the filter, the normalization and the channel order; "class_names"), the model
in its graph. Needs numpy, pillow and onnxruntime (pip install numpy pillow onnxruntime).

    python3 predict.py model.onnx photo.jpg [more images ...] [--top 5] [--json]

Prints each image's most probable classes, or with --json the same list `graft predict --json`
prints: [{"file", "predictions": [{"index", "label", "probability"}]}].
"""
import argparse
import json
import math

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

FILTERS = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}


def resample(image, size, box, filter_name):
    """Each channel resized as 32-bit floats (Pillow's "F" mode), so the values stay unrounded
    between the two passes and after them, as the metadata's steps say."""
    planes = [channel.convert("F").resize(size, FILTERS[filter_name], box=box) for channel in image.split()]
    return np.stack([np.asarray(plane, dtype=np.float32) for plane in planes])


def preprocess(path, p):
    """One image as a (3, height, width) float32 array, by the file's "preprocessing" entry."""
    image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    width, height = image.size
    out = (p["width"], p["height"])
    box = (0, 0, width, height)
    if p["resize"] == "central_square_then_resize":
        side = max(1, int(p["crop_fraction"] * min(width, height)))
        left, top = (width - side + 1) // 2, (height - side + 1) // 2
        image = image.crop((left, top, left + side, top + side))
        box = (0, 0, side, side)
    elif p["resize"] == "shorter_side_then_center_crop":
        s = p["resize_side"]
        if width <= height:
            resized = (s, max(1, int(s * height / width)))
        else:
            resized = (max(1, int(s * width / height)), s)
        # The crop's offset in whole pixels of the resized image (rounded half up), mapped back.
        left = math.floor((resized[0] - out[0]) / 2 + 0.5)
        top = math.floor((resized[1] - out[1]) / 2 + 0.5)
        sx, sy = width / resized[0], height / resized[1]
        box = (left * sx, top * sy, (left + out[0]) * sx, (top + out[1]) * sy)
    elif p["resize"] != "stretch":
        raise SystemExit(f"unknown resize rule {p['resize']!r}")
    x = resample(image, out, box, p["filter"])
    if p["normalization"] == "mean_std":
        mean = np.array(p["mean"], dtype=np.float32)[:, None, None]
        std = np.array(p["std"], dtype=np.float32)[:, None, None]
        x = (x / 255 - mean) / std
    else:
        x = (x - p["offset"]) * p["scale"]
    if p["channel_order"] == "bgr":
        x = x[::-1]
    return np.ascontiguousarray(x, dtype=np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("images", nargs="+")
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    a = parser.parse_args()

    session = ort.InferenceSession(a.model, providers=["CPUExecutionProvider"])
    metadata = session.get_modelmeta().custom_metadata_map
    preprocessing = json.loads(metadata["preprocessing"])
    classes = json.loads(metadata["class_names"])
    batch = np.stack([preprocess(path, preprocessing) for path in a.images])
    outputs = [o.name for o in session.get_outputs()]
    if "probabilities" in outputs:
        probabilities = session.run(["probabilities"], {"input": batch})[0]
    else:
        logits = session.run(["logits"], {"input": batch})[0].astype(np.float64)
        exps = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities = exps / exps.sum(axis=1, keepdims=True)

    results = []
    for path, row in zip(a.images, probabilities):
        # Most probable first; equal probabilities in class order.
        order = sorted(range(len(row)), key=lambda i: (-row[i], i))[: min(a.top, len(row))]
        results.append({"file": path, "predictions": [
            {"index": i, "label": classes[i], "probability": float(row[i])} for i in order]})
    if a.json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            print(result["file"])
            for p in result["predictions"]:
                print(f"  {p['probability'] * 100:6.2f}%  {p['label']} ({p['index']})")


if __name__ == "__main__":
    main()
