#!/usr/bin/env bash
# The GPU checks in one script, for a machine lent for a limited time.
#
#   benchmarks/gpu_run.sh OUTDIR [SECONDS] [PROFILE]
#
# In order: the renderer's tests (CPU vs GPU agreement included), the render benchmark at 128 px (render batches 256 and 512), the training
# throughput of the gpu profile, then every notebook of the book on PROFILE (default gpu) with
# DEVICE=cuda, one at a time (a failing notebook does not stop the next). Each step gets the
# time that is left of SECONDS (default 560) and is skipped when less than 20 s remain. After
# every step OUTDIR/results.tgz is rewritten (benchmark records, executed notebooks, figures,
# logs), so a run cut short still returns what it finished. OUTDIR/summary.txt lists each
# step's exit status and elapsed time. DEVICE, BENCH_SIZE, BENCH_N and BENCH_PROFILE (default
# cuda, 128, 2048, gpu) change the device, the render benchmark's image size and count, and the
# training benchmark's profile. BENCH=0 skips the tests and benchmarks; NOTEBOOKS="s3_1_training_stage
# ..." runs only those notebooks (e.g. a second call on the same machine, whose cache is kept).
# LEARNING=1 first records the learning curves of benchmarks/learning.py on PROFILE (at most
# LEARNING_S seconds, default 200). GPU utilisation is sampled every 2 s into gpu_util.csv.
set -uo pipefail
out=${1:?usage: benchmarks/gpu_run.sh OUTDIR [SECONDS] [PROFILE]}
budget=${2:-560}
profile=${3:-gpu}
device=${DEVICE:-cuda}
size=${BENCH_SIZE:-128}
n=${BENCH_N:-2048}
train_profile=${BENCH_PROFILE:-gpu}
logs=$(mktemp -d)
mkdir -p "$out"
summary=$out/summary.txt
: >"$summary"

pack() {
  tar czf "$out/results.tgz.part" benchmarks/*.json book/*.ipynb book/figures book/data -C "$logs" . 2>/dev/null
  mv "$out/results.tgz.part" "$out/results.tgz"
}

step() {  # step NAME COMMAND...: run with the time that is left (at most CAP s if set), log, pack
  local name=$1 left=$((budget - SECONDS))
  shift
  if [ -n "${CAP:-}" ] && [ "$CAP" -lt "$left" ]; then left=$CAP; fi
  if [ "$left" -lt 20 ]; then
    echo "$name skipped (no time left)" >>"$summary"
    return
  fi
  local t0=$SECONDS
  timeout "$left" "$@" >"$logs/$name.log" 2>&1
  local rc=$?
  echo "$name rc=$rc $((SECONDS - t0))s (at ${SECONDS}s)" >>"$summary"
  pack
}

{ nvidia-smi --query-gpu=name,memory.total --format=csv,noheader; nproc; } >"$logs/machine.txt" 2>&1
nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 2 >"$logs/gpu_util.csv" 2>/dev/null &
util_pid=$!
if [ "${LEARNING:-0}" = 1 ]; then
  CAP=${LEARNING_S:-200} step learning python benchmarks/learning.py --profile "$profile" --device "$device" \
    --workers 4 --out benchmarks/learning_gpu.json
fi
if [ "${BENCH:-1}" != 0 ]; then
  step gpu_tests python -m pytest -q -p no:cacheprovider tests/test_scenes.py tests/test_datasets.py
  step render python benchmarks/render.py --sizes "$size" --n "$n" --device "$device" \
    --batches 256 512 --out benchmarks/render_gpu.json
  step train python benchmarks/train.py throughput --profile "$train_profile" --device "$device" \
    --steps 20 --out benchmarks/train_gpu.json
fi
notebooks=${NOTEBOOKS:-$(python -c "from rsa_utils.runner import toc_notebooks; print(*toc_notebooks())")}
for nb in $notebooks; do
  step "nb_$nb" python -m rsa_utils.runner "$nb" --profile "$profile" --device "$device"
  if [ "$nb" = models ]; then  # what the zoo holds now: per-model seconds and metrics
    step zoo_ls python -c "import pandas as pd; pd.set_option('display.width', 250); pd.set_option('display.max_rows', 500); from rsa_utils.study.zoo_cli import main; main(['ls'])"
  fi
done
kill "$util_pid" 2>/dev/null
pack
cat "$summary"
