#!/usr/bin/env python3
"""Keras' side of `graft bench model` for MobileNetV2, to compare both on the same CPU.

Same protocol as Graft's benchmark and pytorch_bench_model.py: a new 10-class head, random
images and labels made once, warm-up steps, the median step as images/second, and the peak
resident memory (VmHWM). Modes: inference, head (base frozen), full (everything trains, Adam).

Not part of Graft's build or tests. Needs tensorflow and keras (pip install tensorflow keras):

    OMP_NUM_THREADS=2 python3 benchmarks/keras_bench_model.py --mode full
"""
import argparse
import json
import os
import statistics
import time


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", required=True, choices=["inference", "head", "full"])
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    import tensorflow as tf
    import keras
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    base = keras.applications.MobileNetV2(input_shape=(a.image_size, a.image_size, 3), include_top=False,
                                          weights=None, pooling="avg")
    head = keras.layers.Dense(10)
    model = keras.Sequential([base, head])
    images = tf.random.normal((a.batch_size, a.image_size, a.image_size, 3))
    labels = tf.random.uniform((a.batch_size,), 0, 10, dtype=tf.int32)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam()

    if a.mode == "inference":
        @tf.function(jit_compile=False)
        def step():
            return model(images, training=False)
    else:
        if a.mode == "head":
            base.trainable = False
        variables = model.trainable_variables

        @tf.function(jit_compile=False)
        def step():
            with tf.GradientTape() as tape:
                # Keras' fine-tuning guide: a frozen base runs in inference mode.
                loss = loss_fn(labels, model(images, training=a.mode == "full"))
            grads = tape.gradient(loss, variables)
            optimizer.apply_gradients(zip(grads, variables))
            return loss

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.iterations):
        t = time.perf_counter()
        out = step()
        _ = out.numpy() if hasattr(out, "numpy") else out
        times.append(time.perf_counter() - t)
    ips = a.batch_size / statistics.median(times)
    result = {"backbone": "mobilenetv2", "mode": a.mode, "batch_size": a.batch_size, "image_size": a.image_size,
              "images_per_second": round(ips, 2), "peak_rss_mb": round(peak_rss_mb(), 1),
              "framework": f"keras {keras.__version__} / tensorflow {tf.__version__}", "threads": a.threads}
    print(json.dumps(result) if a.json else
          f"keras mobilenetv2 {a.mode}: {ips:.1f} images/s, peak resident memory {result['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
