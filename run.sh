#!/usr/bin/env bash
# Set up (first run only) and start FormatFit on http://localhost:8501 with the demo data.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh app
# This computer only, unless ADDRESS says otherwise: without sign-in (README, "Sign-in") anyone
# who reaches the address sees the data.
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" \
  --server.address "${ADDRESS:-127.0.0.1}" "$@"
