#!/usr/bin/env python3
"""Graft's throughput on a busy machine: `graft bench model --load N` for N competing busy
processes, under each OpenMP wait setting, interleaved round by round (setting after setting,
load after load) so every setting sees the same host. Prints a Markdown table: the best of the
rounds for each cell, its share of the same setting's quiet figure and of the default's quiet
figure, and every round's figure (the host is shared: the spread says how far one figure holds).

Not part of Graft's build or tests:

    python3 benchmarks/contention.py --graft .build/release/graft --rounds 3

A setting is a set of environment variables given to graft; `inherit` leaves OMP_WAIT_POLICY,
GOMP_SPINCOUNT and OMP_NUM_THREADS unset for graft's own defaults to apply, `spin` is libgomp's
own default (what graft did before it chose one: a thread spins up to 300,000 times before it
sleeps), and `1 thread` leaves the second core to the competitors.
"""
import argparse
import json
import os
import subprocess

SETTINGS = {
    "inherit": {},
    "spin": {"OMP_WAIT_POLICY": "", "GOMP_SPINCOUNT": "300000"},
    "passive": {"OMP_WAIT_POLICY": "passive"},
    "spin 10000": {"GOMP_SPINCOUNT": "10000"},
    "spin 1000": {"GOMP_SPINCOUNT": "1000"},
    "active": {"OMP_WAIT_POLICY": "active"},
    "1 thread": {"OMP_NUM_THREADS": "1"},
}
# Every variable a setting sets, cleared from the environment first so that each setting runs as
# written (and `inherit` with graft's own defaults).
CONTROLLED = {name for variables in SETTINGS.values() for name in variables}


def bench(graft, setting, load, args):
    env = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    env.update({k: v for k, v in SETTINGS[setting].items() if v})
    command = [graft, "bench", "model", "--backbone", args.backbone, "--mode", args.mode,
               "--batch-size", str(args.batch_size), "--image-size", str(args.image_size),
               "--iterations", str(args.iterations), "--load", str(load), "--json"]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["images_per_second"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--graft", default=".build/release/graft")
    p.add_argument("--backbone", default="efficientnet-lite0")
    p.add_argument("--mode", default="last-blocks")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--loads", default="0,1,2")
    p.add_argument("--settings", default=",".join(SETTINGS))
    args = p.parse_args()
    loads = [int(n) for n in args.loads.split(",")]
    settings = args.settings.split(",")
    figures = {(s, n): [] for s in settings for n in loads}
    for round_ in range(args.rounds):
        for n in loads:
            for s in settings:
                figures[s, n].append(bench(args.graft, s, n, args))
                print(f"round {round_ + 1}, {n} competing, {s}: {figures[s, n][-1]} images/s", flush=True)
    best = {key: max(values) for key, values in figures.items()}
    reference = settings[0]
    print(f"\n{args.backbone} {args.mode}, batch {args.batch_size}, {args.image_size} px, "
          f"best of {args.rounds} interleaved rounds (images/s)\n")
    print("| setting | competing | images/s | of its quiet | of " + reference + " quiet | every round |")
    print("|---|---|---|---|---|---|")
    for s in settings:
        for n in loads:
            own = best[s, n] / best[s, loads[0]]
            base = best[s, n] / best[reference, loads[0]]
            rounds = ", ".join(f"{v:.1f}" for v in figures[s, n])
            print(f"| {s} | {n} | {best[s, n]:.1f} | {own:.0%} | {base:.0%} | {rounds} |")


if __name__ == "__main__":
    main()
