#!/usr/bin/env python3
"""Regenerates the Pillow reference fixtures for GraftDataTests.

Run from this folder with Pillow installed (`pip install pillow`); the outputs are committed,
so the tests never need Python. Each `*.rgb` file holds raw 8-bit RGB pixels, row-major, as
Pillow decodes (or resizes) the named source; manifest.json records sizes and provenance.
"""
import json
import math
import random

import PIL
from PIL import Image, ImageDraw, ImageOps


def synthetic_photo(width, height, seed, noise):
    """Smooth gradients, hard edges and a little noise: content where resize filters differ."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height))
    pixels = image.load()
    for y in range(height):
        for x in range(width):
            r = int(127 + 120 * math.sin(x / 7.0) * math.cos(y / 11.0))
            g = int(255 * x / (width - 1))
            b = int(255 * y / (height - 1))
            if noise:
                r, g, b = (max(0, min(255, v + rng.randint(-noise, noise))) for v in (r, g, b))
            pixels[x, y] = (r, g, b)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 5, height // 5, width // 2, height // 2), fill=(250, 240, 10))
    draw.line((0, height - 1, width - 1, 0), fill=(0, 0, 0), width=2)
    for i in range(0, width, 6):
        draw.line((i, height * 3 // 4, i, height - 1), fill=(255, 255, 255))
    return image


manifest = {"pillow": PIL.__version__, "images": {}, "resized": {}}


def record_decoded(name, decoded):
    decoded = decoded.convert("RGB")
    with open(name + ".rgb", "wb") as f:
        f.write(decoded.tobytes())
    manifest["images"][name] = {"width": decoded.width, "height": decoded.height}


photo = synthetic_photo(64, 48, seed=1, noise=12)
photo.save("photo.png")
record_decoded("photo.png", Image.open("photo.png"))

photo.save("baseline.jpg", quality=90)
record_decoded("baseline.jpg", Image.open("baseline.jpg"))

photo.save("progressive.jpg", quality=85, progressive=True)
record_decoded("progressive.jpg", Image.open("progressive.jpg"))

photo.convert("L").save("grayscale.jpg", quality=90)
record_decoded("grayscale.jpg", Image.open("grayscale.jpg"))

photo.convert("CMYK").save("cmyk.jpg", quality=90)
record_decoded("cmyk.jpg", Image.open("cmyk.jpg"))

photo.convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save("palette.png")
record_decoded("palette.png", Image.open("palette.png"))

# Stored sideways with EXIF orientation 6: viewers (and Graft) rotate it 90 degrees clockwise.
exif = Image.Exif()
exif[0x0112] = 6
photo.transpose(Image.Transpose.ROTATE_90).save("exif-rotated.jpg", quality=90, exif=exif)
record_decoded("exif-rotated.jpg", ImageOps.exif_transpose(Image.open("exif-rotated.jpg")))

# Resize references, from the decoded PNG photo and from a larger, smoother one shrunk 10x.
large = synthetic_photo(240, 180, seed=2, noise=0)
large.save("large.png")
manifest["images"]["large.png"] = {"width": large.width, "height": large.height}  # PNG parity is shown by photo.png
cases = [
    ("photo.png", 37, 29, "bilinear"), ("photo.png", 37, 29, "bicubic"),
    ("photo.png", 100, 75, "bicubic"), ("photo.png", 100, 75, "bilinear"),
    ("large.png", 24, 18, "bilinear"), ("large.png", 24, 18, "bicubic"),
    ("large.png", 60, 90, "bicubic"),
]
filters = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}
for source, width, height, filt in cases:
    name = f"{source.split('.')[0]}-{width}x{height}-{filt}"
    resized = Image.open(source).convert("RGB").resize((width, height), filters[filt])
    with open(name + ".rgb", "wb") as f:
        f.write(resized.tobytes())
    manifest["resized"][name] = {"source": source, "width": width, "height": height, "filter": filt}

# EfficientNet-Lite's reference preprocessing (shared/reference/golden/golden.json): the central
# square of int(224/256 * shorter side), then a bicubic resize to the input size.
large_image = Image.open("large.png").convert("RGB")
side = int(224 / 256 * min(large_image.size))
left, top = (large_image.width - side + 1) // 2, (large_image.height - side + 1) // 2
lite = large_image.crop((left, top, left + side, top + side)).resize((32, 32), Image.Resampling.BICUBIC)
with open("large-efficientnet-lite-32.rgb", "wb") as f:
    f.write(lite.tobytes())
manifest["efficientnet_lite"] = {"source": "large.png", "size": 32, "crop": [left, top, side]}

with open("manifest.json", "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
