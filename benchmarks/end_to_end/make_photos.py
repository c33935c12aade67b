#!/usr/bin/env python3
"""Writes the image folder of docs/performance.md's end-to-end table: real Fashion-MNIST product
photos (Debian's dataset-fashion-mnist, drawn per class with a fixed seed by `graft data
fashion-mnist`) as colour JPEG files of SIZE x SIZE pixels, the kind of folder a user trains on.

The photos are 28x28; they are enlarged (Pillow's bicubic) before encoding so that every
framework decodes and resizes a file of a camera-like size each epoch instead of a thumbnail.

usage: python make_photos.py OUT [--graft .build/release/graft] [--per-class 160]
       [--validation-per-class 40] [--size 320] [--quality 90]
OUT gets train/<class>/*.jpg and validation/<class>/*.jpg. Needs Pillow.
"""
import argparse
import os
import shutil
import subprocess

from PIL import Image


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--graft", default=".build/release/graft")
    p.add_argument("--per-class", type=int, default=160)
    p.add_argument("--validation-per-class", type=int, default=40)
    p.add_argument("--size", type=int, default=320)
    p.add_argument("--quality", type=int, default=90)
    a = p.parse_args()

    staging = a.out.rstrip("/") + ".partial"
    pngs = staging + "-png"
    for folder in (staging, pngs):
        shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([a.graft, "data", "fashion-mnist", pngs, "--per-class", str(a.per_class),
                    "--validation-per-class", str(a.validation_per_class), "--test-per-class", "1"],
                   check=True, stdout=subprocess.DEVNULL)
    written = 0
    for split in ("train", "validation"):
        for label in sorted(os.listdir(os.path.join(pngs, split))):
            source, target = os.path.join(pngs, split, label), os.path.join(staging, split, label)
            os.makedirs(target)
            for name in sorted(os.listdir(source)):
                image = Image.open(os.path.join(source, name)).convert("RGB")
                image = image.resize((a.size, a.size), Image.BICUBIC)
                image.save(os.path.join(target, os.path.splitext(name)[0] + ".jpg"), quality=a.quality)
                written += 1
    shutil.rmtree(pngs)
    shutil.rmtree(a.out, ignore_errors=True)
    os.rename(staging, a.out)
    print(f"wrote {written} JPEG photos of {a.size}x{a.size} to {a.out}")


if __name__ == "__main__":
    main()
