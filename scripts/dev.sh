#!/usr/bin/env bash
# The two set-up commands of README.md:
#   bash scripts/dev.sh demo   # install (first time), then run the pipeline end to end on bundled data
#   bash scripts/dev.sh test   # install (first time), then run the test suite
# Re-running is fast: the virtual environment is reused until pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${KEPU_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.kepu-installed"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_python() {
  if ! command -v "$PYTHON" >/dev/null 2>&1 || ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1; then
    echo "installing python3-venv from Debian's packages" >&2
    as_root apt-get update -qq
    as_root apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
  fi
}

install() {
  if [ -f "$STAMP" ] && [ "$STAMP" -nt pyproject.toml ] \
     && [ -z "$(find scripts/setup.d -newer "$STAMP" -name '*.sh' 2>/dev/null)" ]; then return; fi
  ensure_python
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  # torch first, pinned: the CPU wheel on this disk; anything unpinned would pull a CUDA build.
  "$VENV/bin/pip" install -q --disable-pip-version-check torch==2.13.0
  "$VENV/bin/pip" install -q --disable-pip-version-check -e '.[dev]'
  # Extra system pieces each area needs (Label Studio's own venv, Chromium, CJK fonts...).
  for step in scripts/setup.d/*.sh; do
    [ -e "$step" ] || continue
    echo "set-up: $step" >&2
    VENV="$VENV" bash "$step"
  done
  touch "$STAMP"
}

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 DO_NOT_TRACK=1
case "${1:-}" in
  demo) install; shift; exec "$VENV/bin/kepu" demo "$@" ;;
  test) install; shift; exec "$VENV/bin/python" -m pytest -q "$@" ;;
  install) install ;;
  *) echo "usage: bash scripts/dev.sh demo|test|install" >&2; exit 2 ;;
esac
