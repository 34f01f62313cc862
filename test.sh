#!/usr/bin/env bash
# Set up (first run only) and run every check: formatting, lint, unit, AppTest and browser tests.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh dev
.venv/bin/ruff format --check .
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
