"""What the reference benchmarks share with `graft bench model`: the command line, warm-up then
the median step, the process's peak resident memory, and the printed result."""
import argparse
import json
import statistics
import time


def arguments(description, backbones, modes):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--backbone", choices=backbones, default=backbones[0])
    p.add_argument("--mode", required=True, choices=modes)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--json", action="store_true")
    return p


def peak_rss_mb():
    """VmHWM, as Graft reports it."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure_and_report(step, a, framework, threads):
    """Runs `step` a.warmup times untimed, then a.iterations times, and prints images/second of
    the median step and the peak memory, as text or as `graft bench model --json` does."""
    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.iterations):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    ips = a.batch_size / statistics.median(times)
    result = {"backbone": a.backbone, "mode": a.mode, "batch_size": a.batch_size, "image_size": a.image_size,
              "images_per_second": round(ips, 2), "peak_rss_mb": round(peak_rss_mb(), 1),
              "framework": framework, "threads": threads}
    print(json.dumps(result) if a.json else
          f"{framework} {a.backbone} {a.mode}: {ips:.1f} images/s, peak resident memory {result['peak_rss_mb']:.0f} MB")
