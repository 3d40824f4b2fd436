# One target dir for everything; the component is built first because the host embeds it.
CARGO ?= cargo
HOST := target/release/source-tiktok-marketing
SIM := target/release/tiktok-sim
COMPONENT := target/wasm32-wasip2/release/tiktok_connector.wasm
OUT ?= out

.PHONY: build component test demo bench clean

build: component
	$(CARGO) build --release -p source-tiktok-marketing -p tiktok-sim

# The connector component, and the hostile probe component the sandbox tests run.
component:
	$(CARGO) build --release --target wasm32-wasip2 -p tiktok-connector -p sandbox-probe

# Unit tests of every crate, then the end-to-end suite against the real binary and simulator.
test: build
	$(CARGO) test --release --workspace --exclude tiktok-connector --exclude sandbox-probe
	$(CARGO) test --release -p tiktok-connector --lib

# Start the simulator, sync every stream into $(OUT)/demo.sqlite, print the tables and one query.
demo: build
	@bash scripts/demo.sh $(OUT)

# CPU, latency-bound wall time and memory of the real binary, a native profile of where the
# component's CPU per record goes, and rows a second `sync` writes into SQLite.
bench: build
	$(CARGO) test --release -p tiktok-sim --test bench -- --ignored --nocapture --test-threads=1
	$(CARGO) test --release -p tiktok-connector --lib profile -- --ignored --nocapture
	$(CARGO) test --release -p source-tiktok-marketing sqlite_rows_per_second -- --ignored --nocapture

clean:
	$(CARGO) clean
