#!/usr/bin/env bash
# Installs opencode-ai@VERSION from the npm registry into DIR, once; the tests run that binary.
set -euo pipefail
version="$1"
dir="$2"
bin="$dir/node_modules/.bin/opencode"
if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "$version" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is required to install opencode-ai@$version for the tests (install Node.js and npm)" >&2
  exit 1
fi
mkdir -p "$dir"
echo "Installing opencode-ai@$version into $dir"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "opencode-ai@$version"
"$bin" --version
