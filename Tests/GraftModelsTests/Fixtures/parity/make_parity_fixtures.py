#!/usr/bin/env python3
"""Parity fixtures for Graft's backbones, made with the reference implementation (torchvision).

Every parameter and buffer is filled from a formula of its state-dict key and element index
("graft-parity-v1", below; ParityWeights.swift in the tests is the same formula), the model runs
in float64 in eval mode on inputs from the same formula, and only the input shape, the
parameter count and the logits are saved: NAME.json beside this script. CI never runs this; it
needs torch and torchvision:

    pip install torch torchvision numpy
    python make_parity_fixtures.py [NAME ...]     # Graft's names; all when none is given
"""
import json
import math
import pathlib
import sys

import numpy as np
import torch
import torchvision
from torchvision import models

FORMULA = "graft-parity-v1"

# Graft's name -> (torchvision constructor, input shape). Small inputs keep the Swift tests fast;
# VGG's ImageNet classifier needs the 7x7 map of a 224x224 image.
ARCHITECTURES = {
    "resnet18": ("resnet18", [2, 3, 64, 64]),
    "resnet34": ("resnet34", [2, 3, 64, 64]),
    "resnet50": ("resnet50", [2, 3, 64, 64]),
    "resnet101": ("resnet101", [1, 3, 64, 64]),
    "resnet152": ("resnet152", [1, 3, 64, 64]),
    "vgg16": ("vgg16", [1, 3, 224, 224]),
    "vgg19": ("vgg19", [1, 3, 224, 224]),
    "efficientnet-b0": ("efficientnet_b0", [2, 3, 64, 64]),
    "efficientnet-b1": ("efficientnet_b1", [2, 3, 64, 64]),
    "efficientnet-b2": ("efficientnet_b2", [2, 3, 64, 64]),
    "efficientnet-b3": ("efficientnet_b3", [2, 3, 64, 64]),
    "mobilenetv3-large": ("mobilenet_v3_large", [2, 3, 64, 64]),
    "mobilenetv3-small": ("mobilenet_v3_small", [2, 3, 64, 64]),
    "convnext-tiny": ("convnext_tiny", [2, 3, 64, 64]),
    "densenet-121": ("densenet121", [2, 3, 64, 64]),
}


def name_hash(key: str) -> int:
    """FNV-1a, 32 bits, of the key's UTF-8 bytes."""
    h = 2166136261
    for byte in key.encode("utf-8"):
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


def uniform(key: str, count: int) -> np.ndarray:
    """count values in [-1, 1), element i from an integer hash of (i, key)."""
    mask = np.uint64(0xFFFFFFFF)
    x = (np.arange(count, dtype=np.uint64) * np.uint64(2654435761) + np.uint64(name_hash(key))) & mask
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(2246822519)) & mask
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(3266489917)) & mask
    x ^= x >> np.uint64(16)
    return x.astype(np.float64) / 2.0**32 * 2 - 1


def formula(key: str, shape) -> np.ndarray:
    count = int(np.prod(shape)) if len(shape) else 1
    u = uniform(key, count)
    if key.endswith("running_var"):
        values = 1 + 0.25 * (u + 1)
    elif key.endswith("running_mean") or key.endswith("bias"):
        values = 0.1 * u
    elif key.endswith("weight") and len(shape) >= 2:
        values = u * math.sqrt(6 / (count / shape[0]))
    else:
        values = 1 + 0.2 * u
    return values.reshape(shape)


def fixture(name: str) -> dict:
    constructor, input_shape = ARCHITECTURES[name]
    model = getattr(models, constructor)().double().eval()
    state = model.state_dict()
    for key, tensor in state.items():
        if key.endswith("num_batches_tracked"):
            continue
        tensor.copy_(torch.from_numpy(formula(key, list(tensor.shape))))
    # float32 inputs, as Graft computes them, widened: both sides see the same numbers.
    x = 2 * uniform("input", int(np.prod(input_shape))).reshape(input_shape)
    x = x.astype(np.float32).astype(np.float64)
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).numpy()
    return {
        "architecture": name,
        "reference": f"torchvision {torchvision.__version__} models.{constructor}(), float64, eval mode",
        "formula": FORMULA,
        "input_shape": input_shape,
        "parameters": sum(p.numel() for p in model.parameters()),
        "logits": [[float(f"{v:.10g}") for v in row] for row in logits],
    }


def write_fixtures(make_fixture, architectures) -> None:
    """NAME.json beside this script for each name on the command line (all when none is given)."""
    names = sys.argv[1:] or list(architectures)
    here = pathlib.Path(__file__).resolve().parent
    for name in names:
        result = make_fixture(name)
        (here / f"{name}.json").write_text(json.dumps(result, separators=(",", ":")) + "\n")
        print(name, result["parameters"], "max |logit|", max(abs(v) for row in result["logits"] for v in row))


if __name__ == "__main__":
    write_fixtures(fixture, ARCHITECTURES)
