#!/usr/bin/env python3
"""Where one `graft bench model --mode inference` step spends its time, per thread, from perf samples.

oneDNN's verbose log (what onnx_runtime_bench.py --profile reads) times each primitive but
slows every step by printing, and says nothing of the time between primitives. This script
samples the real, unlogged run with `perf record` instead and sorts every sample of the
executor thread (the one that runs the pass) and of the OpenMP workers into:

  oneDNN kernels       the JIT-generated code that does the arithmetic
  OpenMP waits         libgomp: barriers at the end of each parallel region, and workers
                       spinning while the executor thread does serial work between primitives
  oneDNN dispatch      libdnnl's own compiled code: argument checks, scratchpads, the
                       reference or non-JIT kernels
  Graft and Swift      Graft's code, the Swift runtime (retain/release, arrays), libc (malloc,
                       memcpy), libm
  kernel               the operating system (page faults, scheduling)

Set-up (random weights, primitive creation, the first steps) is removed by running N and 2N
timed steps and keeping the difference. Prints milliseconds per step per thread and
category, and the Graft functions that take most of the executor thread's Graft time.

Not part of Graft's build or tests. Needs Linux perf (Debian's linux-perf):

    make build && python3 benchmarks/inference_time_breakdown.py [--backbones efficientnet-lite0] [--batch 1]
"""
import argparse
import collections
import os
import re
import subprocess
import tempfile

FREQUENCY = 4999
CATEGORIES = ["oneDNN kernels", "OpenMP waits", "oneDNN dispatch", "Graft and Swift", "kernel", "other"]


def category(dso):
    if dso.startswith("[JIT]"):
        return "oneDNN kernels"
    if dso.startswith("libgomp"):
        return "OpenMP waits"
    if dso.startswith("libdnnl"):
        return "oneDNN dispatch"
    if dso == "graft" or dso.startswith(("libswift", "libc.", "libm.", "libFoundation", "libdispatch", "ld-linux")):
        return "Graft and Swift"
    if dso.startswith("[kernel"):
        return "kernel"
    return "other"


def sampled(a, backbone, batch, iterations, work):
    """Samples per (thread, category) and per Graft symbol of one run under perf."""
    data = os.path.join(work, "perf.data")
    command = [a.graft, "bench", "model", "--backbone", backbone, "--mode", "inference", "--batch-size", str(batch),
               "--image-size", str(a.image_size), "--iterations", str(iterations), "--threads", str(a.threads)]
    subprocess.run(["perf", "record", "-q", "-F", str(FREQUENCY), "-o", data, "--"] + command,
                   check=True, capture_output=True, env=dict(os.environ, OMP_NUM_THREADS=str(a.threads)))
    report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "-g", "none", "-n",
                             "--sort", "pid,dso,sym"], check=True, capture_output=True, text=True).stdout
    by_thread = collections.defaultdict(collections.Counter)
    graft_symbols = collections.Counter()
    row = re.compile(r"^\s*[\d.]+%\s+(\d+)\s+(\d+):(\S+)\s+(\S+(?: tid \d+)?)\s+\[[.k]\]\s+(.*)$")
    for line in report.splitlines():
        m = row.match(line)
        if not m:
            continue
        samples, tid, dso, symbol = int(m[1]), int(m[2]), m[4], m[5].strip()
        by_thread[tid][category(dso)] += samples
        if dso == "graft":
            graft_symbols[demangled(symbol)] += samples
    return by_thread, graft_symbols


def demangled(symbol):
    run = subprocess.run(["swift", "demangle", "--simplified", "--compact", symbol], capture_output=True, text=True)
    return (run.stdout.strip() or symbol)[:110]


def roles(by_thread):
    """The executor thread (most samples in Graft and Swift) first, then the OpenMP workers by load."""
    busy = sorted(by_thread, key=lambda t: -sum(by_thread[t].values()))
    executor = max(busy, key=lambda t: by_thread[t]["Graft and Swift"])
    workers = [t for t in busy if t != executor and sum(by_thread[t].values()) > 0.05 * sum(by_thread[executor].values())]
    return executor, workers


def per_step(long, short, iterations):
    return {k: max(0.0, (long.get(k, 0) - short.get(k, 0)) / iterations / FREQUENCY * 1000) for k in CATEGORIES}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--graft", default=".build/release/graft")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--iterations", type=int, default=100, help="N: the runs time N and 2N steps")
    p.add_argument("--batch", type=int, nargs="+", default=[1])
    p.add_argument("--backbones", nargs="+", default=["efficientnet-lite0", "mobilenetv2", "resnet50"])
    a = p.parse_args()
    work = tempfile.mkdtemp()
    print(f"{a.threads} threads, {a.image_size}x{a.image_size}, ms per step from perf samples at {FREQUENCY} Hz "
          f"(runs of {a.iterations} and {2 * a.iterations} steps, difference kept)")
    header = "| backbone | batch | thread | " + " | ".join(CATEGORIES[:-1]) + " | total |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for backbone in a.backbones:
        for batch in a.batch:
            short, short_symbols = sampled(a, backbone, batch, a.iterations, work)
            long, long_symbols = sampled(a, backbone, batch, 2 * a.iterations, work)
            executor, workers = roles(long)
            short_roles = roles(short)
            pairs = [("executor", long[executor], short[short_roles[0]])]
            pairs += [(f"OpenMP worker {i + 1}", long[t], short[s]) for i, (t, s) in enumerate(zip(workers, short_roles[1]))]
            for name, l, s in pairs:
                ms = per_step(l, s, a.iterations)
                cells = " | ".join(f"{ms[k]:.2f}" for k in CATEGORIES[:-1])
                print(f"| {backbone} | {batch} | {name} | {cells} | {sum(ms.values()):.2f} |", flush=True)
            symbols = {k: (long_symbols[k] - short_symbols.get(k, 0)) / a.iterations / FREQUENCY * 1000 for k in long_symbols}
            top = sorted(symbols.items(), key=lambda kv: -kv[1])[:8]
            print("    Graft's own code per step: " + "; ".join(f"{v:.3f} ms {k}" for k, v in top if v > 0.001))


if __name__ == "__main__":
    main()
