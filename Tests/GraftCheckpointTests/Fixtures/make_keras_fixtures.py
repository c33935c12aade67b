#!/usr/bin/env python3
"""Tiny Keras weight files in the three layouts Graft reads, for KerasWeightsTests.

A model of one named convolution, BatchNorm and dense layer; variable I of layer L holds
values[k] = 1000 * (layer index + 1) + 100 * I + k / 8 (exact in float32), so the test can tell
every tensor, its order and its layout apart without numbers from here. Writes:
  tiny_keras2.h5        Keras 2's save_weights layout (layer_names, weight_names; fixed-length names)
  tiny.weights.h5       Keras 3's save_weights layout (layers/AUTO/vars/I)
  tiny.keras            a Keras 3 archive (model.weights.h5 inside)
  tiny_model.h5         a whole model in the legacy .h5 format (weights under model_weights)
CI never runs this; it needs keras and h5py (KERAS_BACKEND=torch works):
    pip install keras h5py torch && python make_keras_fixtures.py
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import h5py
import keras
import numpy as np


def model():
    inputs = keras.Input((4, 4, 2))
    x = keras.layers.Conv2D(3, 3, name="stem_conv")(inputs)
    x = keras.layers.BatchNormalization(name="stem_bn")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(2, name="predictions")(x)
    m = keras.Model(inputs, outputs, name="tiny")
    for layer_index, layer in enumerate(l for l in m.layers if l.weights):
        for i, w in enumerate(layer.weights):
            count = int(np.prod(w.shape))
            w.assign((1000 * (layer_index + 1) + 100 * i + np.arange(count) / 8).reshape(w.shape).astype("float32"))
    return m


def keras2_layout(m, path):
    """What Keras 2's save_weights wrote (h5py then stored names as fixed-length bytes)."""
    with h5py.File(path, "w") as f:
        names = [l.name for l in m.layers]
        f.attrs["layer_names"] = np.array([n.encode() for n in names])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.15.0"
        for layer in m.layers:
            g = f.create_group(layer.name)
            weight_names = [f"{layer.name}/{w.name}:0" for w in layer.weights]
            g.attrs["weight_names"] = np.array([n.encode() for n in weight_names])
            for name, w in zip(weight_names, layer.weights):
                g.create_dataset(name, data=np.asarray(w.numpy()))


def main():
    m = model()
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras")
    keras2_layout(m, os.path.join(here, "tiny_keras2.h5"))
    m.save_weights(os.path.join(here, "tiny.weights.h5"))
    m.save(os.path.join(here, "tiny.keras"))
    m.save(os.path.join(here, "tiny_model.h5"))


if __name__ == "__main__":
    main()
