#!/usr/bin/env python3
"""Parity fixtures for Graft's Keras variants of backbones, made with Keras itself.

As make_parity_fixtures.py does for torchvision, but in Keras' terms ("graft-keras-parity-v1"):
variable ROLE of layer LAYER (Keras' own names: "block1_conv1", "kernel") is filled from the same
integer hash of the key "LAYER/ROLE" and the element index (Keras' shape, row-major), by role:
kernel: u * sqrt(6 / fan_in), fan_in = count / shape[-1]; depthwise_kernel: fan_in = kH * kW;
bias, beta, moving_mean: 0.1 u; moving_variance: 1 + 0.25 (u + 1); gamma and anything else:
1 + 0.2 u. The inputs are the torchvision fixtures' ("input", NCHW, 2u), given to Keras as NHWC;
the model runs in float64 with Keras' classifier without its softmax, and NAME.json gets the
logits.

EfficientNet normalizes its 0-255 input inside the network; Graft's build leaves that to its
preprocessing, so the input above is Graft's (normalized) input and Keras is given the pixels
that normalize to it. Keras' ImageNet weights hold the ImageNet std as the layer's "variance" and
rescale by 1 / sqrt(std) after it; this script's network (weights=None) has no such rescaling, so
its normalization gets mean and std ** 2 to compute the same function. CI never runs this; it needs keras and torch (KERAS_BACKEND=torch):

    pip install keras torch numpy
    python make_keras_parity_fixtures.py [NAME ...]
"""
import math
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np

from make_parity_fixtures import uniform, write_fixtures

FORMULA = "graft-keras-parity-v1"

# Graft's name -> (keras.applications constructor, input shape NCHW).
ARCHITECTURES = {
    "vgg16-keras": ("VGG16", [1, 3, 224, 224]),
    "resnet50-keras": ("ResNet50", [2, 3, 64, 64]),
    "mobilenetv2-keras": ("MobileNetV2", [2, 3, 64, 64]),
    "efficientnet-b0-keras": ("EfficientNetB0", [2, 3, 64, 64]),
}

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])
IMAGENET_STD = np.array([0.229, 0.224, 0.225])


def formula(key: str, role: str, shape) -> np.ndarray:
    count = int(np.prod(shape))
    u = uniform(key, count)
    if role == "kernel":
        values = u * math.sqrt(6 / (count / shape[-1]))
    elif role == "depthwise_kernel":
        values = u * math.sqrt(6 / (shape[0] * shape[1]))
    elif role in ("bias", "beta", "moving_mean"):
        values = 0.1 * u
    elif role == "moving_variance":
        values = 1 + 0.25 * (u + 1)
    else:
        values = 1 + 0.2 * u
    return values.reshape(shape)


def fixture(name: str) -> dict:
    constructor, input_shape = ARCHITECTURES[name]
    keras.config.set_floatx("float64")
    n, c, h, w = input_shape
    model = getattr(keras.applications, constructor)(weights=None, include_top=True, input_shape=(h, w, c),
                                                     classifier_activation=None)
    for layer in model.layers:
        for variable in layer.weights:
            role = variable.name.split("/")[-1].split(":")[0]
            if isinstance(layer, keras.layers.DepthwiseConv2D) and role == "kernel":
                role = "depthwise_kernel"  # Keras 2's name, which Keras 3 shortened
            if isinstance(layer, keras.layers.Normalization):
                variable.assign({"mean": IMAGENET_MEAN, "variance": IMAGENET_STD ** 2}.get(role, variable.numpy()))
            else:
                variable.assign(formula(f"{layer.name}/{role}", role, list(variable.shape)))
    x = 2 * uniform("input", int(np.prod(input_shape))).reshape(input_shape)
    x = x.astype(np.float32).astype(np.float64).transpose(0, 2, 3, 1)
    if any(isinstance(layer, keras.layers.Normalization) for layer in model.layers):
        x = (x * IMAGENET_STD + IMAGENET_MEAN) * 255
    logits = keras.ops.convert_to_numpy(model(x, training=False))
    return {
        "architecture": name,
        "reference": f"keras {keras.__version__} applications.{constructor}(classifier_activation=None), "
                     f"float64, {keras.backend.backend()} backend",
        "formula": FORMULA,
        "input_shape": input_shape,
        "parameters": int(sum(np.prod(v.shape) for v in model.trainable_weights)),
        "logits": [[float(f"{v:.10g}") for v in row] for row in logits],
    }


if __name__ == "__main__":
    write_fixtures(fixture, ARCHITECTURES)
