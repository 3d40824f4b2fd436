#!/usr/bin/env bash
# Build target/image/source-tiktok-marketing.tar, an image archive `docker load -i` takes, with no
# daemon: umoci writes an OCI layout from nothing, skopeo turns it into a docker-archive.
# Inside: the static host, BusyBox (the platform's launcher runs `sh -c`, `sleep`, `mv`), user
# airbyte (1000:1000) owning /airbyte, and the compiled-component cache made by the same binary,
# since every platform job starts in a fresh pod. Needs root (files owned by uid 1000): not root,
# it runs itself through passwordless sudo and gives target/image back to the caller.
set -euo pipefail
cd "$(dirname "$0")/.."

name=airbyte/source-tiktok-marketing
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
binary=/usr/local/bin/source-tiktok-marketing
cache=/airbyte/component-cache
work=target/image
host=target/x86_64-unknown-linux-musl/release/source-tiktok-marketing

[ -x "$host" ] || { echo "image: $host is missing: run make build" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
    if ! sudo -n true 2>/dev/null; then
        echo "image: needs root (umoci writes the files' owner, uid 1000, only as root): run as root or with passwordless sudo" >&2
        exit 1
    fi
    sudo -n bash "$0" "$@"
    exec sudo -n chown -R "$(id -u):$(id -g)" "$work"
fi

rm -rf "$work/oci" "$work/bundle" "$work/$(basename "$name").tar"
mkdir -p "$work"
umoci init --layout "$work/oci"
umoci new --image "$work/oci:$version"
umoci unpack --image "$work/oci:$version" "$work/bundle" >/dev/null
root=$work/bundle/rootfs

# BusyBox and its applets, each where scripts look for it (/bin/sh, /usr/bin/env, ...).
install -D -m 755 /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
    mkdir -p "$root/$(dirname "$applet")"
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
mkdir -p "$root/tmp" "$root/etc"
chmod 1777 "$root/tmp"

# The user the platform runs as, and its writable home.
printf 'root:x:0:0:root:/root:/bin/sh\nairbyte:x:1000:1000:airbyte:/airbyte:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nairbyte:x:1000:\n' > "$root/etc/group"

# The connector, with its component compiled once here by the same binary.
install -D -m 755 "$host" "$root$binary"
mkdir -p "$root$cache"
SOURCE_TIKTOK_CACHE_DIR="$root$cache" "$root$binary" spec >/dev/null
ls "$root$cache"/*.cwasm >/dev/null
chown -R 1000:1000 "$root/airbyte"

umoci repack --image "$work/oci:$version" "$work/bundle"
umoci config --image "$work/oci:$version" \
    --architecture amd64 --os linux \
    --config.entrypoint "$binary" \
    --config.env "AIRBYTE_ENTRYPOINT=$binary" \
    --config.env "PATH=/usr/local/bin:/usr/bin:/bin" \
    --config.env "SOURCE_TIKTOK_CACHE_DIR=$cache" \
    --config.env "HOME=/airbyte" \
    --config.user airbyte \
    --config.workingdir /airbyte \
    --config.label "io.airbyte.name=$name" \
    --config.label "io.airbyte.version=$version"
umoci gc --layout "$work/oci"
skopeo --insecure-policy copy --quiet "oci:$work/oci:$version" "docker-archive:$work/$(basename "$name").tar:$name:$version"
rm -rf "$work/bundle"
echo "image: $work/$(basename "$name").tar ($name:$version, $(du -h "$work/$(basename "$name").tar" | cut -f1))"
