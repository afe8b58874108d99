#!/usr/bin/env bash
# Installs opencode-ai@VERSION from the npm registry into DIR, once; the tests run that binary.
set -euo pipefail
version="$1"
dir="$2"
bin="$dir/node_modules/.bin/opencode"

runs() {
  [ -x "$1" ] && [ "$("$1" --version 2>/dev/null)" = "$version" ]
}

if runs "$bin"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is required to install opencode-ai@$version for the tests (install Node.js and npm)" >&2
  exit 1
fi
mkdir -p "$dir"
echo "Installing opencode-ai@$version into $dir"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "opencode-ai@$version"
if ! runs "$bin"; then
  # The package's postinstall links the platform's binary; where install scripts did not run,
  # link the first platform package whose binary runs.
  for candidate in "$dir"/node_modules/opencode-*/bin/opencode; do
    if runs "$candidate"; then
      mkdir -p "$(dirname "$bin")"
      ln -sf "$candidate" "$bin"
      break
    fi
  done
fi
if ! runs "$bin"; then
  echo "opencode-ai@$version was installed into $dir but no working opencode binary was found" >&2
  exit 1
fi
"$bin" --version
