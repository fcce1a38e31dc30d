#!/usr/bin/env bash
# Runs the whole test suite. On a fresh Debian machine it first installs what the tests use
# beyond Go: Chromium (browser tests) and poppler-utils (pdftotext, for PDF tests).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing test dependencies: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

go vet ./...
go test -count=1 -timeout 40m ./... "$@"
