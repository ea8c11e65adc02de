#!/usr/bin/env bash
# Label Studio server in its OWN virtual environment (its Django pins clash with prefect's):
# the reviewers' UI, and the real server the review-queue tests start on 127.0.0.1.
# Idempotent: does nothing once the venv holds this version (stamp file).
set -euo pipefail
cd "$(dirname "$0")/../.."

LS_VENV="${KEPU_LABELSTUDIO_VENV:-.venv-labelstudio}"
LS_VERSION="${KEPU_LABELSTUDIO_VERSION:-1.23.2}"
# The main venv's interpreter (Python 3.11, venv-capable: dev.sh checked) builds this one too.
PYTHON="${VENV:-.venv}/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3

if [ -x "$LS_VENV/bin/label-studio" ] && [ -f "$LS_VENV/.kepu-ls-$LS_VERSION" ]; then
  exit 0
fi
[ -x "$LS_VENV/bin/python" ] || "$PYTHON" -m venv "$LS_VENV"
echo "installing Label Studio $LS_VERSION into $LS_VENV (a few minutes, once)" >&2
"$LS_VENV/bin/pip" install -q --disable-pip-version-check "label-studio==$LS_VERSION" 2>&1 \
  | { grep -v "is ignored: it is neither a file nor a directory" || true; } >&2
"$LS_VENV/bin/python" -c "import label_studio" >/dev/null
touch "$LS_VENV/.kepu-ls-$LS_VERSION"
echo "Label Studio $LS_VERSION installed in $LS_VENV" >&2
