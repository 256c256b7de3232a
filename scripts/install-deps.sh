#!/usr/bin/env bash
# Installs what the build, the tests and the dashboard need from Debian's packages, only where missing.
# Safe to run repeatedly: a machine that has everything does nothing here.
set -euo pipefail

PKGS=(build-essential cmake pkg-config git
      libgtest-dev libgmock-dev libbenchmark-dev
      libsqlite3-dev sqlite3 libpqxx-dev postgresql libssl-dev zlib1g-dev libbrotli-dev
      libcpp-httplib-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libhwloc-dev
      iproute2 procps)
# `make fuzz` only: clang and its libFuzzer/sanitizer runtimes (the other suites use gcc's).
if [ "${SUANLI_WITH_CLANG:-0}" = 1 ]; then
  PKGS+=(clang libclang-rt-14-dev)
fi
if [ "${SUANLI_NO_WEB:-0}" != 1 ]; then
  PKGS+=(chromium)
  command -v node >/dev/null 2>&1 || PKGS+=(nodejs)
  command -v npm >/dev/null 2>&1 || PKGS+=(npm)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
