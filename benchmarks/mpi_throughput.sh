#!/bin/sh
# One machine, its cores used two ways: 1 process with N threads against N processes with 1 thread
# each (data-parallel over MPI, the gradients allreduced), the same global batch, for
# EfficientNet-Lite0 full and last-blocks fine-tuning. Prints graft bench model's lines for each.
# Usage: benchmarks/mpi_throughput.sh [global batch (16)] [image size (224)] [processes (nproc)]
set -e
batch=${1:-16}
size=${2:-224}
processes=${3:-$(nproc)}
graft=$(swift build -c release --show-bin-path)/graft
mpirun="mpirun --oversubscribe --mca btl_vader_single_copy_mechanism none"
[ "$(id -u)" = 0 ] && mpirun="$mpirun --allow-run-as-root"
for mode in full last-blocks; do
  echo "== $mode: 1 process x $processes threads, batch $batch"
  OMP_NUM_THREADS=$processes "$graft" bench model --backbone efficientnet-lite0 --mode $mode --batch-size "$batch" \
    --image-size "$size" --iterations 5
  echo "== $mode: $processes processes x 1 thread, batch $((batch / processes)) each"
  OMP_NUM_THREADS=1 $mpirun -x OMP_NUM_THREADS -np "$processes" "$graft" bench model --backbone efficientnet-lite0 --mode $mode \
    --batch-size $((batch / processes)) --image-size "$size" --iterations 5
done
