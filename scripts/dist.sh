#!/usr/bin/env bash
# target/dist/source-tiktok-marketing-VERSION-x86_64-linux.tar.gz: the static host (the
# component is inside it) for users without Rust, with its SHA-256 beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
name=source-tiktok-marketing-$version-x86_64-linux
stage=target/dist/$name
rm -rf "$stage" && mkdir -p "$stage"
install -m 755 target/x86_64-unknown-linux-musl/release/source-tiktok-marketing "$stage/"
cp README.md "$stage/"
tar -C target/dist -czf "target/dist/$name.tar.gz" "$name"
rm -rf "$stage"
(cd target/dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "dist: target/dist/$name.tar.gz ($(du -h "target/dist/$name.tar.gz" | cut -f1)), $(cut -c1-16 "target/dist/$name.tar.gz.sha256")…"
