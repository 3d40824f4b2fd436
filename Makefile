# One target dir for everything; the component is built first because the host embeds it.
# The host is built once, as a static musl binary, for the tests, the demo, `dist` and the image;
# it is also copied to target/release/ where the README's commands (and the suite) run it.
CARGO ?= cargo
MUSL := x86_64-unknown-linux-musl
STATIC_HOST := target/$(MUSL)/release/source-tiktok-marketing
HOST := target/release/source-tiktok-marketing
SIM := target/release/tiktok-sim
COMPONENT := target/wasm32-wasip2/release/tiktok_connector.wasm
OUT ?= out

.PHONY: setup build component host lint test demo bench image dist node-host clean

# Rust targets and musl-gcc (quick, and nothing to do when they are there).
setup:
	@bash scripts/setup.sh build

build: setup component host
	$(CARGO) build --release -p tiktok-sim

# The connector component, and the hostile probe component the sandbox tests run.
component:
	$(CARGO) build --release --target wasm32-wasip2 -p tiktok-connector -p sandbox-probe

host: component
	$(CARGO) build --release --target $(MUSL) -p source-tiktok-marketing
	install -D -m 755 $(STATIC_HOST) $(HOST)

# The tree as rustfmt.toml formats it, and no clippy warning in any crate, for each target it
# is built for (the component and the probe as wasm, the host as the static binary it ships as).
lint: component
	@bash scripts/setup.sh lint
	$(CARGO) fmt --all --check
	$(CARGO) clippy --release --target wasm32-wasip2 -p tiktok-connector -p sandbox-probe -- -D warnings
	$(CARGO) clippy --release -p tiktok-connector -p tiktok-sim -p tiktok-e2e --all-targets -- -D warnings
	$(CARGO) clippy --release --target $(MUSL) -p source-tiktok-marketing --all-targets -- -D warnings

# Unit tests of every crate (the host's under musl, as it ships), the end-to-end suite against
# the real binary and simulator (the image included: unpacked in a chroot, and run by podman),
# the second host (Node.js), and Airbyte's own standard connector tests (airbyte-cdk) against
# the binary.
test: build lint
	@bash scripts/setup.sh test
	$(CARGO) test --release --target $(MUSL) -p source-tiktok-marketing
	$(CARGO) test --release -p tiktok-connector --lib
	$(MAKE) --no-print-directory image node-host
	$(CARGO) test --release -p tiktok-sim -p tiktok-e2e
	node --test host-node/test/
	bash tests/standard/run.sh

# Start the simulator, sync every stream into $(OUT)/demo.sqlite, print the tables and one query.
demo: build
	@bash scripts/demo.sh $(OUT)

# An image archive `docker load -i` takes, built without a daemon (scripts/image.sh).
image: build
	@bash scripts/setup.sh image
	bash scripts/image.sh

# The static binary alone, for users without Rust: a tarball and its checksum.
dist: build
	bash scripts/dist.sh

# The second host: jco's transpile of the component, run by Node.js (host-node/).
node-host: build
	bash host-node/build.sh

# CPU, latency-bound wall time and memory of the real binary, a native profile of where the
# component's CPU per record goes, and rows a second `sync` writes into SQLite.
bench: build
	$(CARGO) test --release -p tiktok-e2e --test bench -- --ignored --nocapture --test-threads=1
	$(CARGO) test --release -p tiktok-connector --lib profile -- --ignored --nocapture
	$(CARGO) test --release --target $(MUSL) -p source-tiktok-marketing sqlite_rows_per_second -- --ignored --nocapture
	bash host-node/build.sh
	node host-node/bench.mjs

clean:
	$(CARGO) clean
