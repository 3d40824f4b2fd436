#!/usr/bin/env bash
# The Node.js host's build: the pinned npm packages (package-lock.json), then the release
# components transpiled by jco into gen/ (git-ignored). Run after `make build`; reruns only
# redo what is out of date.
set -euo pipefail
cd "$(dirname "$0")"
RELEASE=../target/wasm32-wasip2/release

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi

# `--instantiation async`: the host hands each instance its imports (the sandboxed WASI and the
# connector's output and environment), instead of module-level imports shared by all.
transpile() {
    local wasm=$RELEASE/$1.wasm out=gen/$2
    if [ ! -f "$wasm" ]; then
        echo "build.sh: $wasm is missing: run \`make build\` first" >&2
        exit 1
    fi
    if [ "$out/connector.js" -nt "$wasm" ]; then
        return
    fi
    rm -rf "$out"
    npx --no-install jco transpile "$wasm" -o "$out" --name connector --instantiation async --no-typescript --quiet
    echo "build.sh: transpiled $wasm into host-node/$out"
}
transpile tiktok_connector connector
# The hostile probe the sandbox tests run (tests/probe).
transpile sandbox_probe probe
