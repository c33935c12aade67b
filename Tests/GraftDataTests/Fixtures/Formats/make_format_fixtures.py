#!/usr/bin/env python3
"""Regenerates the WebP, GIF, TIFF and BMP fixtures and the pixels Pillow decodes from them.

Run from this folder with Pillow installed (`make python-tools` puts it in .cache/venv); the
outputs are committed, so the tests never need Python. For each fixture `NAME`, `NAME.rgb` holds
the expected 8-bit RGB pixels, row-major, and formats.json its size, the tolerance the test
allows and how the pixels were made.

The expected pixels are Pillow's decode, made opaque the way Graft makes every image opaque:
transparent pixels composited onto white in linear light, with the same tables as
Sources/GraftData/Decoding/AlphaCompositing.swift. Pillow keeps 16-bit samples where Graft
reduces them to 8 bits; those fixtures are compared with the samples rounded to the nearest
8-bit level (v / 257), within one level.

The BMP variants Pillow does not write (4-bit, run-length encoded, 16-bit 5-6-5, 32-bit with an
alpha mask, top-down) and the 16-bit RGB TIFF are written byte by byte here, then decoded by
Pillow like the others.
"""
import json
import math
import struct

import numpy as np
import PIL
from PIL import Image, ImageDraw, ImageOps

WIDTH, HEIGHT = 37, 27  # odd, so BMP rows carry padding
manifest = {"pillow": PIL.__version__, "fixtures": {}}


def scene(width=WIDTH, height=HEIGHT, shift=0):
    """Gradients, a disc and a line: every pixel differs and edges are sharp."""
    x, y = np.meshgrid(np.arange(width), np.arange(height))
    rgb = np.stack([(x * 255 // (width - 1) + shift) % 256, y * 255 // (height - 1), (x * 7 + y * 13 + shift) % 256], -1)
    image = Image.fromarray(rgb.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=(250, 240, 10))
    draw.line((0, height - 1, width - 1, 0), fill=(0, 0, 0), width=2)
    return image


def with_alpha(image):
    """Alpha from fully transparent at the left through every level to opaque at the right."""
    x = np.arange(image.width)
    alpha = np.tile((x * 255 // (image.width - 1)).astype(np.uint8), (image.height, 1))
    rgba = image.convert("RGBA")
    rgba.putalpha(Image.fromarray(alpha, "L"))
    return rgba


LINEAR = [v / 255 / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in range(256)]


def encoded(step):
    l = step / 65535
    v = 12.92 * l if l <= 0.0031308 else 1.055 * l ** (1 / 2.4) - 0.055
    return max(0, min(255, int(math.floor(v * 255 + 0.5))))


ENCODED = [encoded(s) for s in range(65536)]


def opaque(rgba, background=(255, 255, 255)):
    """Graft's compositing: linear light, through the same tables, rounded the same way."""
    out = bytearray()
    for r, g, b, a in np.asarray(rgba).reshape(-1, 4).tolist():
        for value, back in ((r, background[0]), (g, background[1]), (b, background[2])):
            if a == 255:
                out.append(value)
            elif a == 0:
                out.append(back)
            else:
                mixed = a / 255 * LINEAR[value] + (1 - a / 255) * LINEAR[back]
                out.append(ENCODED[int(mixed * 65535 + 0.5)])
    return bytes(out)


def record(name, expected_rgb, size, tolerance=0, note="Pillow's decode"):
    assert len(expected_rgb) == size[0] * size[1] * 3, name
    with open(name + ".rgb", "wb") as f:
        f.write(expected_rgb)
    manifest["fixtures"][name] = {"width": size[0], "height": size[1], "tolerance": tolerance, "expected": note}


def record_decoded(name, tolerance=0, transpose=False):
    """Expected pixels of `name` from Pillow's decode of its first frame."""
    image = Image.open(name)
    image.seek(0)
    if transpose:
        image = ImageOps.exif_transpose(image)
    if image.mode.startswith("I;16"):
        samples = np.asarray(image).astype(np.float64)
        gray = np.floor(samples / 257 + 0.5).astype(np.uint8)
        record(name, np.repeat(gray[..., None], 3, -1).tobytes(), image.size, 1, "Pillow's 16-bit samples / 257, rounded")
    elif image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        record(name, opaque(image.convert("RGBA")), image.size, tolerance, "Pillow's decode composited onto white in linear light")
    else:
        record(name, image.convert("RGB").tobytes(), image.size, tolerance)


photo = scene()
translucent = with_alpha(photo)

# --- BMP ---------------------------------------------------------------------------------------
photo.save("bmp-24.bmp")
photo.quantize(200).save("bmp-8-palette.bmp")
photo.convert("1").save("bmp-1.bmp")
translucent.save("bmp-32.bmp")  # Pillow writes 32-bit BI_RGB, whose fourth byte is not alpha


def bmp(header_size, width, height, bits, compression, pixel_data, palette=b"", masks=b"", colors=0):
    """A BMP with a 40-byte (Windows 3), 124-byte (V5) DIB header; masks go inside V5."""
    dib = struct.pack("<IiiHHIIiiII", header_size, width, height, 1, bits, compression, len(pixel_data), 2835, 2835,
                      colors, 0)
    if header_size == 124:
        dib += masks.ljust(16, b"\0") + b"BGRs" + b"\0" * 36 + b"\0" * 12 + b"\0" * 16
        masks = b""
    offset = 14 + len(dib) + len(masks) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(pixel_data), 0, 0, offset) + dib + masks + palette + pixel_data


def rows(pixels_per_row, height, pack, bits, width=WIDTH, bottom_up=True):
    stride = (bits * width + 31) // 32 * 4
    order = range(height - 1, -1, -1) if bottom_up else range(height)
    return b"".join(pack(pixels_per_row[y]).ljust(stride, b"\0") for y in order)


rgb = np.asarray(photo).astype(np.int64)
rgba = np.asarray(translucent).astype(np.int64)

# 16 colours, 4 bits per pixel.
quantized = photo.quantize(16)
indices = np.asarray(quantized)
palette = quantized.getpalette()[: 16 * 3]
bmp_palette = b"".join(bytes([palette[3 * i + 2], palette[3 * i + 1], palette[3 * i], 0]) for i in range(16))
pack4 = lambda row: bytes((int(row[i]) << 4) | (int(row[i + 1]) if i + 1 < len(row) else 0) for i in range(0, len(row), 2))
with open("bmp-4-palette.bmp", "wb") as f:
    f.write(bmp(40, WIDTH, HEIGHT, 4, 0, rows(indices, HEIGHT, pack4, 4), bmp_palette, colors=16))

# 5-6-5 bit fields in a Windows 3 header (masks after the header).
pack565 = lambda row: b"".join(struct.pack("<H", (r >> 3) << 11 | (g >> 2) << 5 | b >> 3) for r, g, b in row.tolist())
with open("bmp-16-565.bmp", "wb") as f:
    f.write(bmp(40, WIDTH, HEIGHT, 16, 3, rows(rgb, HEIGHT, pack565, 16), masks=struct.pack("<III", 0xF800, 0x07E0, 0x001F)))

# 32-bit BGRA with an alpha mask in a V5 header.
pack_bgra = lambda row: b"".join(bytes([b, g, r, a]) for r, g, b, a in row.tolist())
with open("bmp-32-alpha.bmp", "wb") as f:
    f.write(bmp(124, WIDTH, HEIGHT, 32, 3, rows(rgba, HEIGHT, pack_bgra, 32),
                masks=struct.pack("<IIII", 0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000)))

# 24-bit stored top-down (a negative height).
pack_bgr = lambda row: b"".join(bytes([b, g, r]) for r, g, b in row.tolist())
with open("bmp-24-top-down.bmp", "wb") as f:
    f.write(bmp(40, WIDTH, -HEIGHT, 24, 0, rows(rgb, HEIGHT, pack_bgr, 24, bottom_up=False)))


def rle(index_rows, nibbles):
    """Runs where a row repeats, literal stretches elsewhere, one delta skip, end codes."""
    out = bytearray()
    for y, row in enumerate(index_rows):
        row = [int(v) for v in row]
        x = 0
        if y == 3:
            out += bytes([0, 2, 5, 0])  # delta: skip five pixels of this row (they stay index 0)
            x = 5
        while x < len(row):
            run = 1
            while x + run < len(row) and row[x + run] == row[x] and run < 255:
                run += 1
            if run >= 3 or len(row) - x < 3:
                out += bytes([run, row[x] * 17 if nibbles else row[x]])
                x += run
            else:
                literal = row[x:x + min(len(row) - x, 20)]
                out += bytes([0, len(literal)])
                data = pack4(literal) if nibbles else bytes(literal)
                out += data + (b"\0" if len(data) % 2 else b"")
                x += len(literal)
        out += bytes([0, 0])
    return bytes(out[:-2]) + bytes([0, 1])


bottom_up = indices[::-1]
with open("bmp-rle4.bmp", "wb") as f:
    f.write(bmp(40, WIDTH, HEIGHT, 4, 2, rle(bottom_up, True), bmp_palette, colors=16))
quantized8 = photo.quantize(200)
palette8 = quantized8.getpalette()[: 200 * 3]
with open("bmp-rle8.bmp", "wb") as f:
    f.write(bmp(40, WIDTH, HEIGHT, 8, 1, rle(np.asarray(quantized8)[::-1], False),
                b"".join(bytes([palette8[3 * i + 2], palette8[3 * i + 1], palette8[3 * i], 0]) for i in range(200)),
                colors=200))

# --- GIF ---------------------------------------------------------------------------------------
photo.quantize(64).save("gif-interlaced.gif")  # Pillow interlaces by default
photo.quantize(64).save("gif-progressive-off.gif", interlace=False)
frames = [scene(shift=40 * k).quantize(64) for k in range(3)]
frames[0].save("gif-animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
transparent = photo.quantize(63)
pixels = np.asarray(transparent).copy()
pixels[:, : WIDTH // 3] = 63  # the left third takes the transparent index
transparent = Image.fromarray(pixels, "P")
transparent.putpalette(photo.quantize(63).getpalette()[: 63 * 3] + [0, 255, 0])
transparent.save("gif-transparent.gif", transparency=63)

# --- TIFF --------------------------------------------------------------------------------------
photo.save("tiff-rgb.tif")
photo.save("tiff-rgb-lzw.tif", compression="tiff_lzw")
translucent.save("tiff-rgba.tif", compression="tiff_adobe_deflate")
photo.convert("L").save("tiff-gray.tif")
photo.quantize(100).save("tiff-palette.tif")
gray16 = (np.asarray(photo.convert("L")).astype(np.uint32) * 257 + np.arange(WIDTH) * 3).clip(0, 65535).astype("<u2")
Image.fromarray(gray16).save("tiff-gray16.tif")  # mode I;16
photo.save("tiff-orientation-6.tif", tiffinfo={274: 6})  # stored sideways: viewers turn it clockwise


def tiff_rgb16(name, samples):
    """An uncompressed 16-bit RGB TIFF, little-endian, one strip."""
    height, width, _ = samples.shape
    data = samples.astype("<u2").tobytes()
    entries = [(256, 3, 1, width), (257, 3, 1, height), (258, 3, 3, None), (259, 3, 1, 1), (262, 3, 1, 2),
               (273, 4, 1, None), (277, 3, 1, 3), (278, 3, 1, height), (279, 4, 1, len(data)), (284, 3, 1, 1)]
    ifd_size = 2 + 12 * len(entries) + 4
    bits_at = 8 + ifd_size
    data_at = bits_at + 6
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        if tag == 258:
            ifd += struct.pack("<HHII", tag, kind, count, bits_at)
        elif tag == 273:
            ifd += struct.pack("<HHII", tag, kind, count, data_at)
        elif kind == 3:
            ifd += struct.pack("<HHIHH", tag, kind, count, value, 0)
        else:
            ifd += struct.pack("<HHII", tag, kind, count, value)
    with open(name, "wb") as f:
        f.write(b"II*\0" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + struct.pack("<HHH", 16, 16, 16) + data)


rgb16 = (rgb * 257 + np.arange(WIDTH)[None, :, None] * 5).clip(0, 65535)
tiff_rgb16("tiff-rgb16.tif", rgb16)

# --- WebP --------------------------------------------------------------------------------------
photo.save("webp-lossy.webp", quality=80)
translucent.save("webp-lossless-alpha.webp", lossless=True)
translucent.save("webp-lossy-alpha.webp", quality=80)
animation = [scene(shift=40 * k) for k in range(3)]
animation[0].save("webp-animated.webp", save_all=True, append_images=animation[1:], duration=100, loop=0, lossless=True)

for name in ["bmp-24.bmp", "bmp-8-palette.bmp", "bmp-1.bmp", "bmp-32.bmp", "bmp-4-palette.bmp", "bmp-16-565.bmp",
             "bmp-32-alpha.bmp", "bmp-24-top-down.bmp", "bmp-rle4.bmp", "bmp-rle8.bmp",
             "gif-interlaced.gif", "gif-progressive-off.gif", "gif-animated.gif", "gif-transparent.gif",
             "tiff-rgb.tif", "tiff-rgb-lzw.tif", "tiff-gray.tif", "tiff-palette.tif", "tiff-gray16.tif",
             "webp-lossless-alpha.webp", "webp-animated.webp"]:
    record_decoded(name)
record_decoded("tiff-orientation-6.tif", transpose=True)
# libtiff hands back premultiplied colours, which cost up to a level once composited.
record_decoded("tiff-rgba.tif", tolerance=1)
# Pillow reads 16-bit RGB TIFFs as 8-bit RGB itself.
record_decoded("tiff-rgb16.tif", tolerance=1)
# Lossy WebP decodes exactly alike in Pillow's bundled libwebp (1.6) and Debian's (1.2).
record_decoded("webp-lossy.webp")
record_decoded("webp-lossy-alpha.webp")

with open("formats.json", "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
