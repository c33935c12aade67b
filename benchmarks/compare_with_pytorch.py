#!/usr/bin/env python3
"""Graft against PyTorch, side by side on this machine: `graft bench model` and
pytorch_bench_model.py for each backbone and mode, interleaved (Graft, PyTorch, Graft, PyTorch,
...) so both see the same load, the best of the rounds kept for each, printed as a Markdown
table with the ratio and every round's figure (this machine's host is shared: the spread says
how much one figure can be trusted). One benchmark per process, as docs/performance.md describes.

Not part of Graft's build or tests. Needs a Python with torch and torchvision, and tcmalloc
(libgoogle-perftools-dev) for PyTorch's best configuration:

    python3 benchmarks/compare_with_pytorch.py --python /tmp/torch/bin/python \\
        --graft .build/release/graft --backbones efficientnet-b0,resnet18 --modes inference,full
"""
import argparse
import json
import os
import pathlib
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
TCMALLOC = "/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4"


def run(command, env):
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--python", required=True, help="a Python with torch and torchvision")
    p.add_argument("--graft", default=".build/release/graft")
    p.add_argument("--backbones", default="efficientnet-b0,resnet18,mobilenetv3-large,convnext-tiny")
    p.add_argument("--modes", default="inference,full")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--threads", default=str(os.cpu_count()))
    p.add_argument("--iterations", default="10")
    a = p.parse_args()

    env = dict(os.environ, OMP_NUM_THREADS=a.threads)
    torch_env = dict(env, LD_PRELOAD=TCMALLOC) if os.path.exists(TCMALLOC) else env
    print("| backbone / mode | PyTorch img/s | Graft img/s | Graft / PyTorch | per round: PyTorch; Graft | peak RSS PyTorch / Graft |")
    print("|---|---:|---:|---:|---|---|")
    for backbone in a.backbones.split(","):
        for mode in a.modes.split(","):
            common = ["--backbone", backbone, "--mode", mode, "--iterations", a.iterations, "--json"]
            best, rounds = {}, {"graft": [], "pytorch": []}
            for _ in range(a.rounds):
                for name, command, e in [("graft", [a.graft, "bench", "model", *common], env),
                                         ("pytorch", [a.python, str(HERE / "pytorch_bench_model.py"), *common], torch_env)]:
                    result = run(command, e)
                    rounds[name].append(f"{result['images_per_second']:.1f}")
                    if name not in best or result["images_per_second"] > best[name]["images_per_second"]:
                        best[name] = result
            g, t = best["graft"], best["pytorch"]
            print(f"| {backbone} {mode} | {t['images_per_second']:.1f} | {g['images_per_second']:.1f} | "
                  f"{g['images_per_second'] / t['images_per_second']:.2f}x | "
                  f"{', '.join(rounds['pytorch'])}; {', '.join(rounds['graft'])} | "
                  f"{t['peak_rss_mb']:.0f} / {g['peak_rss_mb']:.0f} MB |", flush=True)


if __name__ == "__main__":
    main()
