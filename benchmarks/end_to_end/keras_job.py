#!/usr/bin/env python3
"""The end-to-end job of docs/performance.md in Keras, as its transfer-learning guide writes it:
image_dataset_from_directory decodes and resizes the JPEG files every epoch (prefetched);
MobileNetV2 as Keras ships it, called with training=False so that BatchNorm keeps its running
statistics; stage 1 fits a new head on the frozen base, stage 2 unfreezes the last blocks
(--mode last-blocks: the last quarter of the block groups, Graft's rule) or the whole base
(--mode full) and fits on; validation after every epoch; model.save at the end.

Adam at 1e-3, then at 1e-4, as `graft train`'s defaults. The weights are random: Keras' ImageNet
file cannot be fetched here, and speed does not depend on the values.

usage: python keras_job.py DATA --out DIR [--mode last-blocks|full] [--epochs 3]
       [--fine-tune-epochs 3] [--image-size 224] [--batch-size 32] [--threads 2]
Prints one JSON line: accuracy and seconds of each stage. Needs tensorflow and keras.
"""
import argparse
import json
import os
import re
import time


def block_groups(base):
    """The base's layers in Graft's groups for MobileNetV2: the stem, expanded_conv, block_1 ...
    block_16, and the final 1x1 convolution."""
    groups, keys = [], []
    for layer in base.layers:
        match = re.match(r"(expanded_conv|block_\d+)_", layer.name)
        key = match.group(1) if match else ("head" if layer.name in ("Conv_1", "Conv_1_bn", "out_relu") else "stem")
        if not keys or keys[-1] != key:
            keys.append(key)
            groups.append([])
        groups[-1].append(layer)
    return groups


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--out", required=True)
    p.add_argument("--mode", choices=["last-blocks", "full"], default="last-blocks")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--fine-tune-epochs", type=int, default=3)
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    a = p.parse_args()
    started = time.time()

    import tensorflow as tf
    import keras
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    keras.utils.set_random_seed(0)

    size = (a.image_size, a.image_size)
    options = dict(image_size=size, batch_size=a.batch_size, label_mode="int", seed=0)
    train = keras.utils.image_dataset_from_directory(os.path.join(a.data, "train"), shuffle=True, **options)
    validation = keras.utils.image_dataset_from_directory(os.path.join(a.data, "validation"), shuffle=False, **options)
    classes = len(train.class_names)
    train = train.prefetch(tf.data.AUTOTUNE)
    validation = validation.prefetch(tf.data.AUTOTUNE)

    base = keras.applications.MobileNetV2(input_shape=size + (3,), include_top=False, weights=None)
    inputs = keras.Input(shape=size + (3,))
    x = keras.applications.mobilenet_v2.preprocess_input(inputs)
    x = base(x, training=False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.2)(x)
    model = keras.Model(inputs, keras.layers.Dense(classes)(x))
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    base.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss, metrics=["accuracy"])
    t = time.time()
    head = model.fit(train, epochs=a.epochs, validation_data=validation, verbose=0)
    head_seconds = time.time() - t

    groups = block_groups(base)
    base.trainable = True
    if a.mode == "last-blocks":
        for group in groups[:len(groups) - max(1, len(groups) // 4)]:
            for layer in group:
                layer.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss=loss, metrics=["accuracy"])
    t = time.time()
    tune = model.fit(train, epochs=a.epochs + a.fine_tune_epochs, initial_epoch=a.epochs,
                     validation_data=validation, verbose=0)
    tune_seconds = time.time() - t

    os.makedirs(a.out, exist_ok=True)
    target = os.path.join(a.out, "model.keras")
    model.save(target + ".partial.keras")
    os.replace(target + ".partial.keras", target)
    unfrozen = len(groups) if a.mode == "full" else max(1, len(groups) // 4)
    print(json.dumps({"framework": f"keras {keras.__version__} / tensorflow {tf.__version__}",
                      "backbone": "mobilenetv2", "mode": a.mode, "pretrained": False,
                      "unfrozen_groups": unfrozen, "groups": len(groups),
                      "stage1_accuracy": head.history["val_accuracy"][-1],
                      "stage2_accuracy": tune.history["val_accuracy"][-1],
                      "stage1_seconds": round(head_seconds, 1), "stage2_seconds": round(tune_seconds, 1),
                      "seconds": round(time.time() - started, 1), "threads": a.threads}))


if __name__ == "__main__":
    main()
