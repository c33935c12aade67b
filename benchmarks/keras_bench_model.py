#!/usr/bin/env python3
"""Keras' side of `graft bench model` for MobileNetV2, to compare both on the same CPU.

Same protocol as Graft's benchmark and pytorch_bench_model.py: a new 10-class head, random
images and labels made once, warm-up steps, the median step as images/second, and the peak
resident memory (VmHWM). Modes: inference, head (base frozen), full (everything trains, Adam).

Not part of Graft's build or tests. Needs tensorflow and keras (pip install tensorflow keras):

    OMP_NUM_THREADS=2 python3 benchmarks/keras_bench_model.py --mode full
"""
import os

from bench_protocol import arguments, measure_and_report


def main():
    p = arguments("Keras' side of `graft bench model`.", ["mobilenetv2"], ["inference", "head", "full"])
    p.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
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

    def synchronous_step():
        out = step()
        return out.numpy()

    measure_and_report(synchronous_step, a, f"keras {keras.__version__} / tensorflow {tf.__version__}", a.threads)


if __name__ == "__main__":
    main()
