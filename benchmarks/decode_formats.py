#!/usr/bin/env python3
"""Decoding speed per format: one set of photo-sized images written in every format Graft reads,
then `graft bench decode` on them (one thread, files in memory).

    .cache/venv/bin/python benchmarks/decode_formats.py [--graft .build/release/graft] [--count 16]

Needs Pillow (`make python-tools` installs it into .cache/venv). The images are 500x375, the
size of a typical dataset photo, textured so that they compress as photos do.
"""
import argparse
import pathlib
import subprocess
import tempfile

import numpy as np
from PIL import Image

parser = argparse.ArgumentParser()
parser.add_argument("--graft", default=".build/release/graft")
parser.add_argument("--count", type=int, default=16)
parser.add_argument("--repeats", type=int, default=3)
args = parser.parse_args()


def photo(seed, width=500, height=375):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    fx, fy = rng.uniform(0.01, 0.05, 2)
    wave = 0.5 + 0.5 * np.sin(x * fx) * np.cos(y * fy)
    tint = rng.uniform(0, 255, 3)
    noise = rng.integers(-16, 16, (height, width, 3))
    rgb = np.stack([tint[0] * wave, tint[1] * (1 - wave), 255 * y / height], -1) + noise
    return Image.fromarray(rgb.clip(0, 255).astype(np.uint8), "RGB")


variants = {
    "jpeg": lambda im, p: im.save(p.with_suffix(".jpg"), quality=90),
    "png": lambda im, p: im.save(p.with_suffix(".png")),
    "webp-lossy": lambda im, p: im.save(p.with_suffix(".webp"), quality=80),
    "webp-lossless": lambda im, p: im.save(p.with_suffix(".webp"), lossless=True),
    "gif": lambda im, p: im.quantize(256).save(p.with_suffix(".gif")),
    "tiff-lzw": lambda im, p: im.save(p.with_suffix(".tif"), compression="tiff_lzw"),
    "tiff-raw": lambda im, p: im.save(p.with_suffix(".tif")),
    "bmp-24": lambda im, p: im.save(p.with_suffix(".bmp")),
    "bmp-8": lambda im, p: im.quantize(256).save(p.with_suffix(".bmp")),
}

with tempfile.TemporaryDirectory() as root:
    images = [photo(seed) for seed in range(args.count)]
    for name, save in variants.items():
        folder = pathlib.Path(root) / name
        folder.mkdir()
        for i, image in enumerate(images):
            save(image, folder / f"{i:03d}")
        result = subprocess.run([args.graft, "bench", "decode", str(folder), "--repeats", str(args.repeats)],
                                check=True, capture_output=True, text=True)
        print(f"{name:14s} {result.stdout.strip()}")
