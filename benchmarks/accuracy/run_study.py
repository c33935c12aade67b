#!/usr/bin/env python3
"""The accuracy study of docs/accuracy.md: the PyTorch recipe (../shared/reference/torch_transfer.py),
Graft with options that mirror it, and Graft's defaults, on each dataset of make_datasets.py, over
several seeds, one run at a time (so that the wall times compare). Every finished run is appended
to RESULTS (JSON lines) and skipped when the study is started again, so an interrupted study goes
on where it stopped. Prints the table: validation accuracy after stage 1 and stage 2 (mean and
spread over the seeds), and the wall time of the whole run.

usage: python run_study.py DATA --python TORCH_PYTHON --reference ../shared/reference \\
           [--graft .build/release/graft] [--seeds 0,1,2] [--configs pytorch,mirrored,defaults] \\
           [--results DATA/results.jsonl] [--variant NAME=FLAGS ...] [--table-only]

DATA holds the folders make_datasets.py writes. TORCH_PYTHON is a Python with torch, numpy and
Pillow. The weights are Graft's cached EfficientNet-Lite0 checkpoint (graft weights fetch).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time

DATASETS = ["fashion-mnist", "mnist", "digits"]
RECIPE = ["--image-size", "96", "--epochs", "3", "--fine-tune-epochs", "3"]

# Graft with every choice of the PyTorch recipe: the whole image stretched to 96x96 by a bilinear
# filter (Pillow's; EfficientNet-Lite's own preprocessing is bicubic), constant rates, no
# augmentation, three MBConv blocks and the final 1x1 group unfrozen, BatchNorm in inference mode,
# dropout 0.2 before a head initialized as nn.Linear is, and the last epoch's weights (not the
# best) carried into stage 2 and kept; none of the extras PyTorch does not run.
MIRRORED = RECIPE + ["--lr", "1e-3", "--fine-tune-lr", "1e-5", "--schedule", "constant", "--augment", "none",
                     "--resize", "stretch", "--interpolation", "bilinear",
                     "--unfreeze", "blocks.13,blocks.14,blocks.15,head", "--bn", "inference",
                     "--dropout", "0.2", "--no-restore-best-weights", "--no-label-issues", "--calibration", "none",
                     "--report-tta", "none"]
# Graft as a user runs it, at the recipe's image size.
DEFAULTS = ["--image-size", "96"]
CONFIGS = {"mirrored": MIRRORED, "defaults": DEFAULTS}


def run_pytorch(args, data, seed):
    command = [args.python, os.path.join(args.reference, "torch_transfer.py"), data, "--weights", args.weights,
               "--seed", str(seed), "--threads", str(args.threads)] + RECIPE
    start = time.time()
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    seconds = time.time() - start
    found = re.search(r"stage1 val_acc ([0-9.]+).*stage2 val_acc ([0-9.]+)", out)
    return float(found.group(1)), float(found.group(2)), seconds


def run_graft(args, data, seed, options):
    """Graft's summary names each stage's validation accuracy of the weights it kept (its best
    epoch, or with --no-restore-best-weights its last), so the rule that picks them stays Graft's."""
    out = tempfile.mkdtemp(prefix="graft-accuracy-")
    try:
        command = [args.graft, "train", data, "--seed", str(seed), "--threads", str(args.threads),
                   "--out", os.path.join(out, "run")] + options
        start = time.time()
        printed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        seconds = time.time() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    stages = [re.search(rf"^stage {stage}: validation accuracy ([0-9.]+)", printed, re.MULTILINE) for stage in (1, 2)]
    if not all(stages):
        raise SystemExit(f"graft train printed no stage accuracies:\n{printed}")
    return float(stages[0].group(1)), float(stages[1].group(1)), seconds


def load_results(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def table(results, configs, datasets):
    lines = ["| dataset | configuration | stage 1 | stage 2 | wall time | seeds |", "|---|---|---|---|---|---|"]
    for dataset in datasets:
        for config in configs:
            rows = [r for r in results if r["dataset"] == dataset and r["config"] == config]
            if not rows:
                continue

            def spread(key, digits=3):
                values = [r[key] for r in rows]
                mean = statistics.mean(values)
                sd = statistics.stdev(values) if len(values) > 1 else 0
                return f"{mean:.{digits}f} ± {sd:.{digits}f}"
            lines.append(f"| {dataset} | {config} | {spread('stage1')} | {spread('stage2')} | "
                         f"{statistics.mean(r['seconds'] for r in rows):.0f} s | {len(rows)} |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--python", default="python3")
    p.add_argument("--reference", default="../shared/reference")
    p.add_argument("--graft", default=".build/release/graft")
    p.add_argument("--weights", default=os.path.expanduser("~/.cache/graft/efficientnet-lite0-57934424.pth"))
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--configs", default="pytorch,mirrored,defaults")
    p.add_argument("--datasets", default=",".join(DATASETS))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--results")
    p.add_argument("--variant", action="append", default=[], metavar="NAME=FLAGS",
                   help="another Graft configuration: its name, '=', and the graft train flags it adds to the defaults'")
    p.add_argument("--table-only", action="store_true")
    args = p.parse_args()
    for variant in args.variant:
        name, flags = variant.split("=", 1)
        CONFIGS[name] = DEFAULTS + flags.split()
    results_path = args.results or os.path.join(args.data, "results.jsonl")
    configs = args.configs.split(",")
    results = load_results(results_path)
    if not args.table_only:
        for seed in [int(s) for s in args.seeds.split(",")]:
            for dataset in args.datasets.split(","):
                for config in configs:
                    if any(r["dataset"] == dataset and r["config"] == config and r["seed"] == seed for r in results):
                        continue
                    folder = os.path.join(args.data, dataset)
                    if config == "pytorch":
                        stage1, stage2, seconds = run_pytorch(args, folder, seed)
                    else:
                        stage1, stage2, seconds = run_graft(args, folder, seed, CONFIGS[config])
                    record = {"dataset": dataset, "config": config, "seed": seed, "stage1": stage1,
                              "stage2": stage2, "seconds": round(seconds, 1)}
                    print(json.dumps(record), flush=True)
                    results.append(record)
                    with open(results_path, "a") as f:
                        f.write(json.dumps(record) + "\n")
    print(table(results, configs, args.datasets.split(",")))


if __name__ == "__main__":
    main()
