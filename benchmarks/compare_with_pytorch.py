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

--baseline GRAFT_WINOGRAD=0 adds a third interleaved run of Graft with that environment variable
set (a before/after of one of Graft's switches), printed as its own column and ratio.
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
    p.add_argument("--batch-size", default="32")
    p.add_argument("--baseline", metavar="VAR=VALUE", help="also run Graft with this environment variable set")
    a = p.parse_args()

    env = dict(os.environ, OMP_NUM_THREADS=a.threads)
    torch_env = dict(env, LD_PRELOAD=TCMALLOC) if os.path.exists(TCMALLOC) else env
    runners = [("graft", env), ("pytorch", torch_env)]
    baseline = ""
    if a.baseline:
        name, value = a.baseline.split("=", 1)
        runners.append(("baseline", dict(env, **{name: value})))
        baseline = f" Graft {a.baseline} img/s | Graft / Graft {a.baseline} |"
    print(f"| backbone / mode | PyTorch img/s | Graft img/s | Graft / PyTorch |{baseline} per round: PyTorch; Graft | peak RSS PyTorch / Graft |")
    print("|---|---:|---:|---:|" + ("---:|---:|" if a.baseline else "") + "---|---|")
    for backbone in a.backbones.split(","):
        for mode in a.modes.split(","):
            common = ["--backbone", backbone, "--mode", mode, "--iterations", a.iterations, "--batch-size", a.batch_size, "--json"]
            best, rounds = {}, {name: [] for name, _ in runners}
            for _ in range(a.rounds):
                for name, e in runners:
                    command = ([a.python, str(HERE / "pytorch_bench_model.py")] if name == "pytorch"
                               else [a.graft, "bench", "model"]) + common
                    result = run(command, e)
                    rounds[name].append(f"{result['images_per_second']:.1f}")
                    if name not in best or result["images_per_second"] > best[name]["images_per_second"]:
                        best[name] = result
            g, t = best["graft"], best["pytorch"]
            extra = ""
            if a.baseline:
                b = best["baseline"]["images_per_second"]
                extra = f" {b:.1f} | {g['images_per_second'] / b:.2f}x |"
            print(f"| {backbone} {mode} | {t['images_per_second']:.1f} | {g['images_per_second']:.1f} | "
                  f"{g['images_per_second'] / t['images_per_second']:.2f}x |{extra} "
                  f"{', '.join(rounds['pytorch'])}; {', '.join(rounds['graft'])} | "
                  f"{t['peak_rss_mb']:.0f} / {g['peak_rss_mb']:.0f} MB |", flush=True)


if __name__ == "__main__":
    main()
