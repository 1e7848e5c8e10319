#!/usr/bin/env bash
# Installs every Debian package Bulwark needs to build, test and benchmark.
# Idempotent and non-interactive: packages already present are skipped.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev
  libsimdjson-dev nlohmann-json3-dev
  libsqlite3-dev libsqlitecpp-dev sqlite3
  libpqxx-dev postgresql
  libhyperscan-dev libre2-dev libicu-dev libfasttext-dev libcld2-dev wamerican
  libcli11-dev libspdlog-dev libfmt-dev
  libkainjow-mustache-dev libsodium-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev
  clang-14 libclang-rt-14-dev clang-format
  curl procps wrk python3
  nodejs chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm comes with the machine's Node.js; Debian's separate npm package only where it does not.
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing npm" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# The browser tests' one npm dependency (playwright-core, pinned in tests/e2e/package-lock.json;
# it drives Debian's /usr/bin/chromium and never downloads a browser).
E2E_DIR="$(cd "$(dirname "$0")/../tests/e2e" && pwd)"
if [ ! -d "$E2E_DIR/node_modules/playwright-core" ]; then
  echo "setup: npm ci in tests/e2e" >&2
  (cd "$E2E_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)
fi

# The Perspective compatibility test's clients (perspective-api-client, googleapis; pinned in
# tests/perspective/clients/package-lock.json).
CLIENTS_DIR="$(cd "$(dirname "$0")/../tests/perspective/clients" && pwd)"
if [ ! -d "$CLIENTS_DIR/node_modules/googleapis" ] || [ ! -d "$CLIENTS_DIR/node_modules/perspective-api-client" ]; then
  echo "setup: npm ci in tests/perspective/clients" >&2
  (cd "$CLIENTS_DIR" && npm ci --no-audit --no-fund >/dev/null)
fi
