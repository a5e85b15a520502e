#!/usr/bin/env bash
# Installs Debian's Chromium for the report test (test/report*.test.ts opens the offline report in it).
# playwright-core drives it through executablePath /usr/bin/chromium; no browser is ever downloaded.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
