"""A multi-label data set made of Fashion-MNIST garments, for measuring `graft train` on
multi-label data with a real backbone: each image is a 2x2 grid of 28x28 cells, one to three of
them holding a garment (the others black), labelled with the classes shown.

    graft data fashion-mnist fmnist                      # the garments, by split
    .cache/venv/bin/python benchmarks/multilabel_fashion_mnist.py fmnist fmnist-multi
    graft train fmnist-multi --labels fmnist-multi/labels.csv --split-column split \
        --label-delimiter ' ' --out runs/fmnist-multi
    graft evaluate runs/fmnist-multi/model fmnist-multi --labels fmnist-multi/labels.csv \
        --split-column split --label-delimiter ' '

Deterministic (seeded); needs Pillow.
"""
import argparse
import os
import random

from PIL import Image

parser = argparse.ArgumentParser()
parser.add_argument("source", help="a folder with train/, validation/ and test/ class folders (graft data fashion-mnist)")
parser.add_argument("out", help="the folder to write images/ and labels.csv into")
parser.add_argument("--train", type=int, default=600)
parser.add_argument("--validation", type=int, default=200)
parser.add_argument("--test", type=int, default=200)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

rng = random.Random(args.seed)
os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
rows = ["image,labels,split"]
for split, count in (("train", args.train), ("validation", args.validation), ("test", args.test)):
    folder = os.path.join(args.source, split)
    classes = sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)))
    files = {c: sorted(os.listdir(os.path.join(folder, c))) for c in classes}
    for i in range(count):
        canvas = Image.new("L", (56, 56))
        shown = rng.sample(classes, rng.randint(1, 3))
        for cell, name in zip(rng.sample(range(4), len(shown)), shown):
            garment = Image.open(os.path.join(folder, name, rng.choice(files[name]))).convert("L").resize((28, 28))
            canvas.paste(garment, ((cell % 2) * 28, (cell // 2) * 28))
        path = f"images/{split}-{i:04d}.png"
        canvas.convert("RGB").save(os.path.join(args.out, path))
        rows.append(f"{path},{' '.join(sorted(shown))},{split}")
with open(os.path.join(args.out, "labels.csv"), "w") as f:
    f.write("\n".join(rows) + "\n")
print(f"wrote {len(rows) - 1} images and labels.csv to {args.out}")
