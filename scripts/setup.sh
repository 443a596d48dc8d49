#!/usr/bin/env bash
# Set everything up in ./.venv, then (unless --no-scan) score the sample posts with the shipped model.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
if [ "${1:-}" != "--no-scan" ]; then
  mkdir -p out
  .venv/bin/detector scan data/sample_posts.jsonl --out out/sample_scored.jsonl
  echo "Scored records: out/sample_scored.jsonl (rejected rows, if any: out/sample_scored.jsonl.rejects.jsonl)"
  .venv/bin/detector explain "Dibutuhkan admin CS, gaji 15jt, tanpa pengalaman, kerja di 🇰🇭, tiket & visa ditanggung, info japri"
fi
