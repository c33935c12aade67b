#!/usr/bin/env python3
"""Graft's inference against ONNX Runtime's on the same model, in one run, with the same threads.

For each backbone, `graft bench model --mode inference` times the backbone with a new 10-class
head (random weights) at batch 1 and at batch 32, and writes that same network as ONNX
(`--onnx`); ONNX Runtime (CPU execution provider, all graph optimizations, the same number of
intra-op threads, one inter-op thread) then times the file with the same protocol: random
images made once, warm-up steps, the median step. Prints images/second at both batch sizes and
the batch-1 latency side by side, and with --profile where each one's batch-1 and batch-32
time goes, by op (oneDNN's verbose log for Graft, ONNX Runtime's profiler for it).

Not part of Graft's build or tests. Needs numpy and onnxruntime (the test venv has both):

    make build && .cache/venv/bin/python benchmarks/onnx_runtime_bench.py [--threads 2] [--profile]
"""
import argparse
import collections
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
import onnxruntime as ort

BACKBONES = ["efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2", "mobilenetv2", "resnet50", "vgg16"]


def graft_bench(a, backbone, batch, onnx_path=None, environment=None):
    """images/second of `graft bench model --mode inference`, and its output."""
    command = [a.graft, "bench", "model", "--backbone", backbone, "--mode", "inference", "--batch-size", str(batch),
               "--image-size", str(a.image_size), "--iterations", str(a.iterations), "--threads", str(a.threads), "--json"]
    if onnx_path:
        command += ["--onnx", onnx_path]
    run = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    return result["images_per_second"], run


def session(a, path, profile_prefix=None):
    options = ort.SessionOptions()
    options.intra_op_num_threads = a.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if profile_prefix:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def ort_bench(a, s, batch):
    """images/second of ONNX Runtime, timed as graft bench model times: 2 warm-up steps, then the median."""
    images = np.random.default_rng(1).standard_normal((batch, 3, a.image_size, a.image_size), dtype=np.float32)
    for _ in range(2):
        s.run(None, {"input": images})
    times = []
    for _ in range(a.iterations):
        t = time.perf_counter()
        s.run(None, {"input": images})
        times.append(time.perf_counter() - t)
    return batch / statistics.median(times)


def primitive_kind(fields, batch):
    """A oneDNN verbose "exec" line's primitive, told apart where it matters: the fused 1x1 +
    depthwise convolution, depthwise, 1x1 and other convolutions; weight and activation reorders."""
    kind, implementation, problem = fields[3], fields[4], fields[-2]
    if kind == "convolution":
        if "fused" in implementation:
            return "conv 1x1+depthwise fused"
        if problem.startswith("g"):
            return "conv depthwise"
        return "conv 1x1" if "kh1" in problem and "kw1" in problem else "conv kxk"
    if kind == "reorder":
        dims = problem.split("x")
        # Activations start with the batch; weights with their output channels (grouped: 5-D).
        return "reorder activations" if len(dims) == 4 and dims[0] == str(batch) else "reorder weights"
    return kind


def primitive_times(a, backbone, batch, iterations):
    """Milliseconds spent in each kind of oneDNN primitive over a whole `graft bench model` run."""
    environment = dict(os.environ, ONEDNN_VERBOSE="1", DNNL_VERBOSE="1")
    b = argparse.Namespace(**{**vars(a), "iterations": iterations})
    ips, run = graft_bench(b, backbone, batch, environment=environment)
    totals = collections.Counter()
    for line in run.stdout.splitlines():
        fields = line.split(",")
        if len(fields) > 4 and fields[0] in ("onednn_verbose", "dnnl_verbose") and fields[1] == "exec":
            totals[primitive_kind(fields, batch)] += float(fields[-1])
    return ips, totals


def graft_profile(a, backbone, batch):
    """The median step in ms and the ms per step in each kind of primitive (ONEDNN_VERBOSE), in
    the timed steps only: a run of 2N steps less a run of N, divided by N."""
    _, short = primitive_times(a, backbone, batch, a.iterations)
    ips, long = primitive_times(a, backbone, batch, 2 * a.iterations)
    per_step = {k: (long[k] - short[k]) / a.iterations for k in long}
    return 1000 * batch / ips, {k: v for k, v in per_step.items() if v > 0.005}


def ort_profile(a, path, batch):
    """Milliseconds per step in each ONNX Runtime op type (from its profiler), timed steps only."""
    prefix = os.path.join(tempfile.mkdtemp(), "ort")
    s = session(a, path, prefix)
    ort_bench(a, s, batch)
    with open(s.end_profiling()) as f:
        events = json.load(f)
    totals = collections.Counter()
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            totals[e["args"]["op_name"]] += e["dur"] / 1000
    return {k: v / (a.iterations + 2) for k, v in totals.items() if v / (a.iterations + 2) > 0.005}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--graft", default=".build/release/graft")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--backbones", nargs="+", default=BACKBONES, choices=BACKBONES)
    p.add_argument("--profile", action="store_true", help="also say where each one's time goes, by op")
    p.add_argument("--json", help="also write the numbers to this file")
    a = p.parse_args()

    print(f"onnxruntime {ort.__version__}, {a.threads} threads, {a.image_size}x{a.image_size}, median of {a.iterations} steps")
    header = "| backbone | Graft b1 img/s | ORT b1 img/s | Graft b1 ms | ORT b1 ms | b1 Graft/ORT | Graft b32 img/s | ORT b32 img/s | b32 Graft/ORT | file MB |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    rows = []
    work = tempfile.mkdtemp()
    for backbone in a.backbones:
        path = os.path.join(work, f"{backbone}.onnx")
        graft1, _ = graft_bench(a, backbone, 1, onnx_path=path)
        graft32, _ = graft_bench(a, backbone, 32)
        s = session(a, path)
        ort1, ort32 = ort_bench(a, s, 1), ort_bench(a, s, 32)
        row = {"backbone": backbone, "graft_b1": graft1, "ort_b1": ort1, "graft_b32": graft32, "ort_b32": ort32,
               "graft_b1_ms": 1000 / graft1, "ort_b1_ms": 1000 / ort1, "file_mb": os.path.getsize(path) / 1e6}
        rows.append(row)
        print(f"| {backbone} | {graft1:.1f} | {ort1:.1f} | {1000 / graft1:.2f} | {1000 / ort1:.2f} | {graft1 / ort1:.2f}x "
              f"| {graft32:.1f} | {ort32:.1f} | {graft32 / ort32:.2f}x | {row['file_mb']:.1f} |", flush=True)
        if a.profile:
            for batch in (1, 32):
                step, graft_ops = graft_profile(a, backbone, batch)
                ort_ops = ort_profile(a, path, batch)
                row[f"profile_b{batch}"] = {"graft_step_ms": step, "graft": graft_ops, "ort": ort_ops}
                described = ", ".join(f"{k} {v:.2f}" for k, v in sorted(graft_ops.items(), key=lambda kv: -kv[1]))
                print(f"    batch {batch} Graft (step {step:.2f} ms with verbose on, {sum(graft_ops.values()):.2f} ms of it in "
                      f"oneDNN primitives): {described}")
                described = ", ".join(f"{k} {v:.2f}" for k, v in sorted(ort_ops.items(), key=lambda kv: -kv[1]))
                print(f"    batch {batch} ORT   (in kernels {sum(ort_ops.values()):.2f} ms): {described}", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
