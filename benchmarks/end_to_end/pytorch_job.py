#!/usr/bin/env python3
"""The end-to-end job of docs/performance.md in PyTorch, as its transfer-learning tutorial writes
it: torchvision's ImageFolder and a DataLoader with worker processes decode and resize the JPEG
files every epoch; stage 1 trains a new head on the frozen backbone, stage 2 unfreezes the last
blocks (--mode last-blocks, Graft's default recipe) or everything (--mode full); validation after
every epoch; the model is saved at the end.

The same recipe as `graft train` with its defaults: Adam at 1e-3, then at 1e-4; BatchNorm keeps
its running statistics in both stages; stage 2 trains the last quarter of the backbone's block
groups (Graft's rule). The ImageNet weights are the same files Graft fetches (from $GRAFT_HOME,
default ~/.cache/graft), random when absent (speed does not depend on them).

usage: python pytorch_job.py DATA --out DIR [--backbone efficientnet-lite0|mobilenetv2]
       [--mode last-blocks|full] [--epochs 3] [--fine-tune-epochs 3] [--image-size 224]
       [--batch-size 32] [--workers 2] [--threads 2]
Prints one JSON line: accuracy and seconds of each stage. Needs torch, torchvision and Pillow;
EfficientNet-Lite0 is ../shared/reference/lite0_torch.py (--lite0-module).
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pytorch_bench_model import make_backbone  # noqa: E402
from torchvision_import import import_torchvision  # noqa: E402

WEIGHT_FILES = {"efficientnet-lite0": "efficientnet-lite0-57934424.pth", "mobilenetv2": "mobilenet_v2-b0353104.pth"}
# Each backbone's own input normalization (mean, std on [0, 1]), as Graft applies it.
NORMALIZATION = {"efficientnet-lite0": ([127 / 255] * 3, [128 / 255] * 3),
                 "mobilenetv2": ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])}


def load_weights(name, features, folder):
    path = os.path.join(folder, WEIGHT_FILES[name])
    if not os.path.exists(path):
        print(f"pytorch_job: {path} is missing, the backbone keeps random weights", file=sys.stderr)
        return False
    state = torch.load(path, map_location="cpu", weights_only=True)
    if name == "efficientnet-lite0":
        features.m.load_state_dict(state)
    else:
        features.load_state_dict({k[len("features."):]: v for k, v in state.items() if k.startswith("features.")})
    return True


class Classifier(nn.Module):
    def __init__(self, features, width, classes):
        super().__init__()
        self.features = features
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(width, classes)

    def forward(self, images):
        return self.fc(self.dropout(self.features(images).mean(dim=(2, 3))))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--out", required=True)
    p.add_argument("--backbone", choices=sorted(WEIGHT_FILES), default="efficientnet-lite0")
    p.add_argument("--mode", choices=["last-blocks", "full"], default="last-blocks")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--fine-tune-epochs", type=int, default=3)
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    p.add_argument("--lite0-module", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                          "../../../shared/reference/lite0_torch.py"))
    p.add_argument("--weights-dir", default=os.environ.get("GRAFT_HOME", os.path.expanduser("~/.cache/graft")))
    a = p.parse_args()
    started = time.time()
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    torchvision = import_torchvision()
    from torchvision import datasets, transforms

    mean, std = NORMALIZATION[a.backbone]
    transform = transforms.Compose([transforms.Resize((a.image_size, a.image_size)), transforms.ToTensor(),
                                    transforms.Normalize(mean, std)])
    train = datasets.ImageFolder(os.path.join(a.data, "train"), transform)
    validation = datasets.ImageFolder(os.path.join(a.data, "validation"), transform)
    loader_options = dict(batch_size=a.batch_size, num_workers=a.workers, persistent_workers=a.workers > 0)
    train_loader = torch.utils.data.DataLoader(train, shuffle=True, **loader_options)
    validation_loader = torch.utils.data.DataLoader(validation, **loader_options)

    features, groups, width = make_backbone(a.backbone, a.lite0_module)
    pretrained = load_weights(a.backbone, features, a.weights_dir)
    model = Classifier(features, width, len(train.classes)).to(memory_format=torch.channels_last)

    def evaluate():
        model.eval()
        correct = 0
        with torch.inference_mode():
            for images, labels in validation_loader:
                correct += (model(images.to(memory_format=torch.channels_last)).argmax(1) == labels).sum().item()
        return correct / len(validation)

    def run_stage(epochs, learning_rate, trainable_groups):
        model.requires_grad_(False)
        for module in [model.fc, *trainable_groups]:
            module.requires_grad_(True)
        optimizer = torch.optim.Adam([q for q in model.parameters() if q.requires_grad], lr=learning_rate)
        t = time.time()
        accuracies = []
        for _ in range(epochs):
            model.train()
            model.features.eval()  # BatchNorm keeps its running statistics, as Graft's default --bn inference
            for images, labels in train_loader:
                loss = F.cross_entropy(model(images.to(memory_format=torch.channels_last)), labels)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            accuracies.append(evaluate())
        return accuracies, time.time() - t

    head_accuracy, head_seconds = run_stage(a.epochs, 1e-3, [])
    unfrozen = groups if a.mode == "full" else groups[-max(1, len(groups) // 4):]
    tune_accuracy, tune_seconds = run_stage(a.fine_tune_epochs, 1e-4, unfrozen)

    os.makedirs(a.out, exist_ok=True)
    target = os.path.join(a.out, "model.pt")
    torch.save(model.state_dict(), target + ".partial")
    os.replace(target + ".partial", target)
    print(json.dumps({"framework": f"pytorch {torch.__version__}", "backbone": a.backbone, "mode": a.mode,
                      "pretrained": pretrained, "unfrozen_groups": len(unfrozen), "groups": len(groups),
                      "stage1_accuracy": head_accuracy[-1], "stage2_accuracy": tune_accuracy[-1],
                      "stage1_seconds": round(head_seconds, 1), "stage2_seconds": round(tune_seconds, 1),
                      "seconds": round(time.time() - started, 1), "threads": a.threads, "workers": a.workers}))


if __name__ == "__main__":
    main()
