#!/usr/bin/env bash
# Weekly report: Debian's Chromium (HTML -> PNG screenshot and PDF, headless), CJK fonts so
# Chinese renders in Chromium and matplotlib, and poppler-utils (pdftotext/pdffonts in tests).
# Idempotent: returns at once when everything is already there.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# (grep without -q reads all of fc-list's output: no SIGPIPE failure under pipefail)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk fontconfig)
[ ${#need[@]} -eq 0 ] && exit 0

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "installing ${need[*]} from Debian's packages" >&2
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${need[@]}" >/dev/null
# matplotlib's cached font list may predate the fonts: flows/report_charts.py adds them itself.
