#!/usr/bin/env bash
# Install what a fresh machine with only rustup and python3 lacks, and nothing it already has.
#   setup.sh build   the Rust targets (the wasm component, the static host) and musl-gcc
#   setup.sh lint    build + rustfmt and clippy
#   setup.sh test    build + lint + what the tests start or call: PostgreSQL, python3-venv, Node.js,
#                    the image tools (umoci, skopeo, BusyBox), and podman with runc to run the
#                    image (Debian's podman takes crun or runc; crun refuses hybrid cgroup hosts)
# `make demo`, `make test` and `.ci/run` all come through here.
set -euo pipefail
need=${1:-build}

targets=(wasm32-wasip2 x86_64-unknown-linux-musl)
installed=$(rustup target list --installed)
for target in "${targets[@]}"; do
    grep -qx "$target" <<<"$installed" || rustup target add "$target"
done

# `make lint` (part of `make test`) runs rustfmt and clippy; rustup's minimal profile lacks them.
if [ "$need" = test ] || [ "$need" = lint ]; then
    for component in rustfmt clippy; do
        rustup component list --installed | grep -q "^$component" || rustup component add "$component"
    done
fi

packages=()
command -v musl-gcc >/dev/null || packages+=(musl-tools)
if [ "$need" = test ] || [ "$need" = image ]; then
    command -v umoci >/dev/null || packages+=(umoci)
    command -v skopeo >/dev/null || packages+=(skopeo)
    [ -x /bin/busybox ] || packages+=(busybox-static)
fi
if [ "$need" = test ]; then
    python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)
    # The sync tests start a PostgreSQL server of their own (initdb + pg_ctl).
    command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql)
    # The second host (host-node/) runs on Node.js 20 or newer with npm.
    command -v node >/dev/null || packages+=(nodejs)
    command -v npm >/dev/null || packages+=(npm)
    # tests/e2e/oci.rs runs the image with podman, as root, through runc.
    command -v podman >/dev/null || packages+=(podman)
    command -v runc >/dev/null || packages+=(runc)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
    echo "setup: install these packages with your system's package manager: ${packages[*]}" >&2
    exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "setup: installing ${packages[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
