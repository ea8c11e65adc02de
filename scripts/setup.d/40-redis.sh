#!/usr/bin/env bash
# Shared crawl frontier (scrapy-redis): Debian's redis-server. Only the binary is needed: tests
# and `kepu crawl --processes N` users start their own server (tests: a loopback port and a
# temporary folder), so the packaged service is not started here. Idempotent: returns at once
# when redis-server is already there.
set -euo pipefail

command -v redis-server >/dev/null 2>&1 && exit 0
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "installing redis-server from Debian's packages" >&2
as_root apt-get update -qq
# A policy-rc.d answering 101 keeps the package from starting a system-wide server on :6379.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d'
  trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
fi
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  redis-server >/dev/null
