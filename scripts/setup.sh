#!/usr/bin/env bash
# Set up everything FormatFit needs on a fresh Debian machine with Python 3.11:
# Debian packages (Chromium for report images and browser tests, fonts, poppler, Java 17 for
# the Spark tests) and a virtual environment in .venv with the exact pinned Python packages.
# Usage: scripts/setup.sh [app|dev]   (dev adds the test tools, poppler and Java)
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-dev}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
"$PY" -c "import venv, ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
# The app renders report images with kaleido on the system Chromium and writes the PDF in
# DejaVu Sans (the charts' font), so both are needed to run it, not only to test it.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -d /usr/share/fonts/truetype/dejavu ] || need_apt+=(fonts-dejavu-core)
if [ "$MODE" = dev ]; then
  command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
  # The Spark tests start a local Spark Connect server (pyspark from requirements-dev.txt),
  # which runs on Java 17; under CI=true they fail, never skip, without it.
  command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    as_root apt-get update -qq
    # slim Debian images lack the man folder the JRE's post-install links into
    as_root mkdir -p /usr/share/man/man1
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing ${need_apt[*]} and no apt-get to install them" >&2
    exit 1
  fi
fi

REQ=requirements.txt
[ "$MODE" = dev ] && REQ=requirements-dev.txt
HASH=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
# A stamp per requirements hash: reinstall only when the pins change (dev includes app).
if [ ! -f ".venv/.installed-$HASH-dev" ] && [ ! -f ".venv/.installed-$HASH-$MODE" ]; then
  echo "setup: installing Python packages from $REQ"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQ"
  rm -f .venv/.installed-*
  touch ".venv/.installed-$HASH-$MODE"
fi
