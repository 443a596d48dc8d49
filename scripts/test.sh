#!/usr/bin/env bash
# The test command (README and .ci/run): the whole suite, browser and Spark groups included.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYSPARK_PYTHON="$PWD/.venv/bin/python"
export PYSPARK_DRIVER_PYTHON="$PWD/.venv/bin/python"
exec .venv/bin/python -m pytest -q "$@"
