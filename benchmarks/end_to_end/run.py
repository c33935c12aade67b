#!/usr/bin/env python3
"""Runs the end-to-end job (image folder to saved model) in Graft, PyTorch and Keras, one after
the other, and measures what a user feels: the wall time of the whole command (start-up, decode,
resize, both stages, validation after each epoch, saving) and its peak memory.

Peak memory is the largest sum, over the job's process tree (PyTorch's DataLoader workers are
processes), of each process's proportional set size (PSS: shared pages split between the
processes sharing them, so forked workers are not counted twice), sampled every 0.5 s.

usage: python run.py DATA [--graft .build/release/graft] [--torch-python P] [--keras-python P]
       [--jobs NAME,...] [--repeat 1] [--results FILE.jsonl] [--logs DIR] [--table-only]
Jobs (all by default, in this order, repeated round by round so that load drifts hit all alike):
  graft-lite0-last-blocks, pytorch-lite0-last-blocks, graft-mobilenetv2-last-blocks,
  keras-mobilenetv2-last-blocks, graft-lite0-full, pytorch-lite0-full, graft-mobilenetv2-full,
  keras-mobilenetv2-full
DATA is make_photos.py's folder. Every job runs 3 + 3 epochs at 224 px, batch 32, on
OMP_NUM_THREADS threads (default 2).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
JOBS = ["graft-lite0-last-blocks", "pytorch-lite0-last-blocks", "graft-mobilenetv2-last-blocks",
        "keras-mobilenetv2-last-blocks", "graft-lite0-full", "pytorch-lite0-full", "graft-mobilenetv2-full",
        "keras-mobilenetv2-full"]
BACKBONES = {"lite0": "efficientnet-lite0", "mobilenetv2": "mobilenetv2"}


def command_for(job, a, out):
    framework, backbone, mode = re.match(r"(\w+)-(\w+)-(last-blocks|full)$", job).groups()
    epochs = ["--epochs", str(a.epochs), "--fine-tune-epochs", str(a.fine_tune_epochs)]
    if framework == "graft":
        command = [a.graft, "train", a.data, "--out", out, "--backbone", BACKBONES[backbone], "--image-size", "224",
                   "--threads", str(a.threads)] + epochs
        return command + (["--unfreeze", "all"] if mode == "full" else [])
    script, python = {"pytorch": ("pytorch_job.py", a.torch_python), "keras": ("keras_job.py", a.keras_python)}[framework]
    command = [python, os.path.join(HERE, script), a.data, "--out", out, "--mode", mode, "--threads", str(a.threads)]
    return command + epochs + (["--backbone", BACKBONES[backbone]] if framework == "pytorch" else [])


def tree(root):
    """The pids of root and all its descendants."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(name))
            except (OSError, IndexError, ValueError):
                pass
    pids, pending = [], [root]
    while pending:
        pid = pending.pop()
        pids.append(pid)
        pending.extend(children.get(pid, []))
    return pids


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(command, env):
    """Runs command; returns (wall seconds, peak PSS of its process tree in MB, stdout)."""
    peak = [0]
    start = time.time()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def sample():
        while process.poll() is None:
            peak[0] = max(peak[0], sum(pss_kb(pid) for pid in tree(process.pid)))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.time() - start
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-4000:]}")
    return seconds, peak[0] / 1024, stdout


def graft_accuracies(printed):
    stages = [re.search(rf"^stage {stage}: validation accuracy ([0-9.]+)", printed, re.MULTILINE) for stage in (1, 2)]
    return [float(s.group(1)) if s else None for s in stages]


def run_job(job, a):
    out = tempfile.mkdtemp(prefix="graft-end-to-end-")
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
    try:
        seconds, peak_mb, printed = measure(command_for(job, a, os.path.join(out, "run")), env)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    record = {"job": job, "seconds": round(seconds, 1), "peak_pss_mb": round(peak_mb),
              "threads": a.threads, "date": time.strftime("%Y-%m-%d %H:%M")}
    if a.logs:
        os.makedirs(a.logs, exist_ok=True)
        with open(os.path.join(a.logs, f"{job}-{time.strftime('%Y%m%d-%H%M%S')}.log"), "w") as f:
            f.write(printed)
    if job.startswith("graft"):
        record["stage1_accuracy"], record["stage2_accuracy"] = graft_accuracies(printed)
    else:
        reported = json.loads(printed.strip().splitlines()[-1])
        record.update({k: reported[k] for k in ("stage1_accuracy", "stage2_accuracy", "pretrained", "framework")})
    return record


def table(records):
    """Median wall time and peak memory per job, and the ratios the goals are stated in: the faster
    of PyTorch and Keras against Graft's default backbone, and each against Graft on its backbone."""
    by_job = {}
    for r in records:
        by_job.setdefault(r["job"], []).append(r)

    def median(job, key):
        values = sorted(r[key] for r in by_job.get(job, []))
        return values[len(values) // 2] if values else None

    def ratio(reference, graft):
        return "—" if reference is None or graft is None else f"{reference / graft:.2f}x"

    lines = ["| stage 2 trains | Graft Lite0 | PyTorch Lite0 | Keras MobileNetV2 | Graft MobileNetV2 | "
             "faster reference / Graft Lite0 | PyTorch / Graft, Lite0 | Keras / Graft, MobileNetV2 | "
             "peak memory Graft Lite0 / MobileNetV2 / PyTorch / Keras |",
             "|---|---|---|---|---|---|---|---|---|"]
    for mode in ("last-blocks", "full"):
        jobs = [f"graft-lite0-{mode}", f"pytorch-lite0-{mode}", f"keras-mobilenetv2-{mode}", f"graft-mobilenetv2-{mode}"]
        graft, pytorch, keras, graft_mnv2 = (median(j, "seconds") for j in jobs)
        memory = [median(j, "peak_pss_mb") for j in (jobs[0], jobs[3], jobs[1], jobs[2])]
        faster = min((v for v in (pytorch, keras) if v is not None), default=None)
        cells = ["—" if v is None else f"{v:.0f} s" for v in (graft, pytorch, keras, graft_mnv2)]
        cells += [ratio(faster, graft), ratio(pytorch, graft), ratio(keras, graft_mnv2)]
        cells.append(" / ".join("—" if m is None else f"{m:.0f} MB" for m in memory))
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--graft", default=".build/release/graft")
    p.add_argument("--torch-python", default="python3")
    p.add_argument("--keras-python", default="python3")
    p.add_argument("--jobs", default=",".join(JOBS))
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--fine-tune-epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    p.add_argument("--results", default=None, help="JSON lines to append to (default DATA.end-to-end.jsonl)")
    p.add_argument("--logs", default=None, help="a folder to keep what each job printed in")
    p.add_argument("--table-only", action="store_true")
    a = p.parse_args()
    results = a.results or a.data.rstrip("/") + ".end-to-end.jsonl"
    jobs = a.jobs.split(",")
    unknown = [j for j in jobs if j not in JOBS]
    if unknown:
        raise SystemExit(f"unknown job {unknown[0]}; jobs: {', '.join(JOBS)}")
    if not a.table_only:
        for _ in range(a.repeat):
            for job in jobs:
                record = run_job(job, a)
                print(json.dumps(record), flush=True)
                with open(results, "a") as f:
                    f.write(json.dumps(record) + "\n")
    with open(results) as f:
        print(table([json.loads(line) for line in f if line.strip()]))


if __name__ == "__main__":
    main()
