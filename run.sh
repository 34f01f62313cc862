#!/usr/bin/env bash
# Set up (first run only) and start FormatFit on http://localhost:8501 with the demo data.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh app
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
