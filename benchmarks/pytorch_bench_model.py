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
import importlib.util

import torch
import torch.nn as nn
import torch.nn.functional as F

from bench_protocol import arguments, measure_and_report
from torchvision_import import import_torchvision


def make_backbone(name, lite0_module):
    """Returns (features: module image -> feature map, groups: block groups in order, width)."""
    if name == "mobilenetv2":
        torchvision = import_torchvision()
        body = torchvision.models.mobilenet_v2().features
        return body, list(body.children()), 1280
    if name in ("resnet18", "resnet50"):
        torchvision = import_torchvision()
        r = getattr(torchvision.models, name)()
        stem = nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool)
        blocks = [b for layer in (r.layer1, r.layer2, r.layer3, r.layer4) for b in layer]
        return nn.Sequential(stem, *blocks), [stem, *blocks], r.fc.in_features
    if name in ("efficientnet-b0", "mobilenetv3-large", "convnext-tiny"):
        torchvision = import_torchvision()
        constructor = {"efficientnet-b0": "efficientnet_b0", "mobilenetv3-large": "mobilenet_v3_large",
                       "convnext-tiny": "convnext_tiny"}[name]
        body = getattr(torchvision.models, constructor)().features
        # Stages that are sequences of blocks count block by block, as Graft's groups do.
        def is_stage(module):
            return isinstance(module, nn.Sequential) and type(module[0]).__name__ in ("MBConv", "CNBlock")
        groups = [block for stage in body.children() for block in (stage.children() if is_stage(stage) else [stage])]
        width = {"efficientnet-b0": 1280, "mobilenetv3-large": 960, "convnext-tiny": 768}[name]
        return body, groups, width
    if name == "densenet-121":
        torchvision = import_torchvision()
        body = torchvision.models.densenet121().features
        # As Graft's groups: the stem, then one per dense layer (a transition with the layer after
        # it, the final BatchNorm with the last layer).
        children = dict(body.named_children())
        groups, pending = [nn.ModuleList([children[k] for k in ("conv0", "norm0", "relu0", "pool0")])], []
        for key, module in children.items():
            if key.startswith("transition"):
                pending.append(module)
            elif key.startswith("denseblock"):
                for layer in module.children():
                    groups.append(nn.ModuleList(pending + [layer]))
                    pending = []
        groups[-1].append(children["norm5"])
        return nn.Sequential(body, nn.ReLU()), groups, 1024
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


def main():
    p = arguments("PyTorch's side of `graft bench model`.", ["mobilenetv2", "efficientnet-lite0", "resnet50",
                                                          "resnet18", "efficientnet-b0", "mobilenetv3-large", "convnext-tiny",
                                                          "densenet-121"],
                  ["inference", "head", "last-blocks", "full"])
    p.add_argument("--lite0-module", default="../shared/reference/lite0_torch.py")
    p.add_argument("--contiguous", action="store_true", help="NCHW instead of channels-last")
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

    measure_and_report(step, a, f"pytorch {torch.__version__}", torch.get_num_threads())


if __name__ == "__main__":
    main()
