#!/usr/bin/env python3
"""The model on paper in docs/scaling.md: predicted scaling efficiency of data-parallel training
over p machines, from the bytes one step allreduces and the compute time of one step.

A ring allreduce of B bytes over p machines sends 2 (p - 1) / p * B bytes out of each machine and
takes 2 (p - 1) steps per message; Graft sends the gradients in 4 MiB buckets, so the latency
term counts once per bucket. Efficiency is compute / (compute + communication not hidden behind
backward): "no overlap" hides nothing (the floor), "overlapped" hides the fraction measured by
`mpirun -np 2 graft bench model` on this machine.

Usage: benchmarks/scaling_model.py  (the defaults are the figures docs/scaling.md quotes; pass
--compute-ms, --megabytes and --hidden to use your own).
"""
import argparse
import math

parser = argparse.ArgumentParser()
parser.add_argument("--latency-us", type=float, default=25.0, help="per message, TCP on Ethernet")
parser.add_argument("--bucket-mb", type=float, default=4 * 1.048576)
args = parser.parse_args()

# (name, MB allreduced per step, compute ms per step per machine at 16 images, fraction hidden)
workloads = [
    ("EfficientNet-Lite0 full", 13.54, 622.0, 1 - 27.8 / 392.5),
    ("EfficientNet-Lite0 last-blocks", 6.03, 166.0, 1 - 2.6 / 15.1),
]

print("| workload | Gbit/s | p | allreduce ms | efficiency, no overlap | efficiency, overlapped |")
print("|---|---|---|---|---|---|")
for name, megabytes, compute, hidden in workloads:
    for gbits in (10, 25, 100):
        bandwidth = gbits * 1e9 / 8  # bytes per second
        for p in (4, 16, 64):
            buckets = math.ceil(megabytes / args.bucket_mb)
            seconds = 2 * (p - 1) / p * megabytes * 1e6 / bandwidth + 2 * (p - 1) * buckets * args.latency_us * 1e-6
            ms = seconds * 1000
            floor = compute / (compute + ms)
            overlapped = compute / (compute + ms * (1 - hidden))
            print(f"| {name} | {gbits} | {p} | {ms:.1f} | {100 * floor:.1f}% | {100 * overlapped:.1f}% |")
