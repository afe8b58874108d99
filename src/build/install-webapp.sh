#!/usr/bin/env bash
# Installs the web app's npm packages (webapp/package-lock.json) for its tests, once per lock file.
set -euo pipefail
dir="$1"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "Node.js 20 and npm are required to test the Convex functions and web app in $dir (install Node.js and npm)" >&2
  exit 1
fi
stamp="$dir/node_modules/.installed-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$dir/package-lock.json"; then
  exit 0
fi
echo "Installing the web app's npm packages in $dir"
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
cp "$dir/package-lock.json" "$stamp"
