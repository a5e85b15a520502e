#!/usr/bin/env bash
# System packages the tests need, installed once (each script is idempotent and fast when done):
# Debian's Chromium for the report test, Mesa >= 25 lavapipe for the webgpu backend tests.
set -euo pipefail
cd "$(dirname "$0")"
bash ./install-chromium.sh
bash ./setup-webgpu.sh
