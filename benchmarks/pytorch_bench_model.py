#!/usr/bin/env python3
"""PyTorch's side of `graft bench model`, to compare both on the same CPU.

Same protocol as Graft's benchmark: a backbone with a new 10-class head, random images and
labels made once, warm-up steps, then the median step time as images/second and the peak
resident memory (VmHWM). Modes as in docs/performance.md: inference, head, last-blocks, full.

Not part of Graft's build or tests. Needs torch and torchvision (pip install torch torchvision);
EfficientNet-Lite0 comes from ../shared/reference/lite0_torch.py (pass --lite0-module). Run one
benchmark per process, with the issue's best configuration: tcmalloc and channels-last,

    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4 OMP_NUM_THREADS=2 \
        python3 benchmarks/pytorch_bench_model.py --backbone efficientnet-lite0 --mode full

Weights are random: speed does not depend on their values.
"""
import argparse
import importlib.util
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_backbone(name, lite0_module):
    """Returns (features: module image -> feature map, groups: block groups in order, width)."""
    if name == "mobilenetv2":
        import torchvision
        body = torchvision.models.mobilenet_v2().features
        return body, list(body.children()), 1280
    if name == "resnet50":
        import torchvision
        r = torchvision.models.resnet50()
        stem = nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool)
        blocks = [b for layer in (r.layer1, r.layer2, r.layer3, r.layer4) for b in layer]
        return nn.Sequential(stem, *blocks), [stem, *blocks], 2048
    if name == "efficientnet-lite0":
        spec = importlib.util.spec_from_file_location("lite0_torch", lite0_module)
        lite0 = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(lite0)
        m = lite0.EfficientNetLite0()

        class Features(nn.Module):
            def __init__(self):
                super().__init__()
                self.m = m

            def forward(self, x):
                return self.m.features(x)

        stem = nn.ModuleList([m._conv_stem, m._bn0])
        head = nn.ModuleList([m._conv_head, m._bn1])
        return Features(), [stem, *m._blocks, head], 1280
    raise SystemExit(f"unknown backbone {name}")


class Head(nn.Module):
    def __init__(self, width, classes):
        super().__init__()
        self.fc = nn.Linear(width, classes)

    def forward(self, fmap):
        return self.fc(fmap.mean(dim=(2, 3)))


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--backbone", required=True, choices=["mobilenetv2", "efficientnet-lite0", "resnet50"])
    p.add_argument("--mode", required=True, choices=["inference", "head", "last-blocks", "full"])
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--lite0-module", default="../shared/reference/lite0_torch.py")
    p.add_argument("--contiguous", action="store_true", help="NCHW instead of channels-last")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    torch.manual_seed(1)
    features, groups, width = make_backbone(a.backbone, a.lite0_module)
    head = Head(width, 10)
    fmt = torch.contiguous_format if a.contiguous else torch.channels_last
    features = features.to(memory_format=fmt)
    images = torch.randn(a.batch_size, 3, a.image_size, a.image_size).to(memory_format=fmt)
    labels = torch.randint(0, 10, (a.batch_size,))

    if a.mode == "inference":
        features.eval()
        head.eval()

        def step():
            with torch.inference_mode():
                head(features(images))
    elif a.mode == "head":
        features.eval().requires_grad_(False)
        opt = torch.optim.Adam(head.parameters())

        def step():
            with torch.no_grad():
                fmap = features(images)
            loss = F.cross_entropy(head(fmap), labels)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    else:
        features.requires_grad_(False)
        trainable = groups[-3:] if a.mode == "last-blocks" else groups
        for g in trainable:
            g.requires_grad_(True)
        # last-blocks: BatchNorm everywhere keeps its running statistics, as in Graft's benchmark.
        features.train(a.mode == "full")
        params = [q for q in features.parameters() if q.requires_grad] + list(head.parameters())
        opt = torch.optim.Adam(params)

        def step():
            loss = F.cross_entropy(head(features(images)), labels)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.iterations):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    ips = a.batch_size / statistics.median(times)
    result = {"backbone": a.backbone, "mode": a.mode, "batch_size": a.batch_size, "image_size": a.image_size,
              "images_per_second": round(ips, 2), "peak_rss_mb": round(peak_rss_mb(), 1),
              "framework": f"pytorch {torch.__version__}", "threads": torch.get_num_threads()}
    print(json.dumps(result) if a.json else
          f"pytorch {a.backbone} {a.mode}: {ips:.1f} images/s, peak resident memory {result['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
