# The two commands that matter:
#   make run    - build and run the server on its embedded default (SQLite in ./workspace)
#   make test   - install what the tests need (cached) and run every test
SHELL := /bin/bash
CARGO ?= cargo
PORT ?= 8001
WORKSPACE ?= workspace

.PHONY: run build test test-rust idl idl-check labels labels-check lint bench bench-store bench-queries bench-queries-pg16 bench-ui

run:
	@tools/fetch-www.sh || echo "make run: the web UI could not be fetched; the API works without it"
	$(CARGO) run --release -p codechecker-server -- --workspace $(WORKSPACE) --port $(PORT)

build:
	$(CARGO) build --release --workspace

# Everything CI runs. ensure-deps.sh installs the CodeChecker venvs, the
# thrift compiler, clang and the web UI bundle once, under ~/.cache/codechecker-rs.
test:
	@eval "$$(tests/tools/ensure-deps.sh)" && \
	  $(MAKE) --no-print-directory idl-check labels-check && \
	  $(CARGO) test --workspace --all-targets --no-fail-fast

# Regenerate the Rust code from idl/*.thrift (needs thrift 0.17).
idl:
	idl/regen.sh

# The committed generated code matches the IDL, and the IDL matches
# CodeChecker's wire contract (the codechecker_api package in the venv).
idl-check:
	@if command -v thrift >/dev/null 2>&1; then idl/regen.sh --check; \
	  else echo "idl-check: no thrift compiler, generated-code check skipped"; fi
	@"$${CC_PY_CURRENT:?run through make test}/bin/python" idl/check_contract.py

# Regenerate the server's built-in checker labels (server/labels/checker_labels.json)
# and guidelines (server/labels/guidelines.json)
# from the label files of the CodeChecker release in the test venv.
labels:
	@eval "$$(tests/tools/ensure-deps.sh)" && \
	  "$$CC_PY_CURRENT/bin/python" server/labels/generate.py && \
	  "$$CC_PY_CURRENT/bin/python" server/labels/generate_guidelines.py

# The committed built-in checker labels are what that CodeChecker release publishes.
labels-check:
	@"$${CC_PY_CURRENT:?run through make test}/bin/python" server/labels/generate.py --check
	@"$${CC_PY_CURRENT:?run through make test}/bin/python" server/labels/generate_guidelines.py --check

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

bench:
	$(CARGO) bench -p codechecker-api

# Stores synthetic report directories (2 files, 5,000 and 100,000 reports, and
# a 500 MB upload) with CodeChecker 6.29.1 into our server and into
# CodeChecker's own; writes the "Store" section of docs/benchmarks.md.
# Takes about half an hour, mostly CodeChecker's server on 100,000 reports.
bench-store:
	@eval "$$(tests/tools/ensure-deps.sh)" && \
	  $(CARGO) build --release -p codechecker-server && \
	  "$$CC_PY_CURRENT/bin/python" tests/tools/bench_store.py \
	    --server-bin "$${CARGO_TARGET_DIR:-target}/release/codechecker-server" \
	    --venv "$$CC_PY_CURRENT" --pg 127.0.0.1:5432 --big-upload-mb 500 \
	    --markdown docs/benchmarks.md

# Stores a synthetic base (100,000 reports, run big-v1) and an evolved
# version (run big-v2) with CodeChecker 6.29.1 into our server (SQLite, and
# PostgreSQL for ours only) and into CodeChecker's own; times the report
# queries of `CodeChecker cmd` and of the web UI's reports page on each;
# writes the "Reads" section of docs/benchmarks.md. About half an hour,
# mostly storing into CodeChecker's server. REPORTS=5000 for a quick try.
REPORTS ?= 100000
bench-queries:
	@eval "$$(tests/tools/ensure-deps.sh)" && \
	  $(CARGO) build --release -p codechecker-server && \
	  "$$CC_PY_CURRENT/bin/python" tests/tools/bench_queries.py \
	    --server-bin "$${CARGO_TARGET_DIR:-target}/release/codechecker-server" \
	    --venv "$$CC_PY_CURRENT" --reports $(REPORTS) --pg 127.0.0.1:5432 \
	    --markdown docs/benchmarks.md

# The web UI's reports and statistics overview pages in headless chromium on
# our server and on CodeChecker's, one run of 100,000 reports with a history
# of 20 stores: the time until each page shows its data, and the page's API
# calls replayed all at once. About half an hour, mostly storing into
# CodeChecker's server. REPORTS=5000 for a quick try.
bench-ui:
	@eval "$$(tests/tools/ensure-deps.sh)" && \
	  $(CARGO) build --release -p codechecker-server && \
	  "$$CC_PY_CURRENT/bin/python" tests/tools/bench_ui.py \
	    --server-bin "$${CARGO_TARGET_DIR:-target}/release/codechecker-server" \
	    --venv "$$CC_PY_CURRENT" --reports $(REPORTS)

# Ours and CodeChecker's server side by side on PostgreSQL: both on a
# PostgreSQL 16 that tests/tools/pg16.sh fetches from npm and starts on port
# 5433 (CodeChecker 6.29.1 does not run on the machine's PostgreSQL 15).
# Prints the tables; about 20 minutes, mostly storing into CodeChecker's.
bench-queries-pg16:
	@eval "$$(tests/tools/ensure-deps.sh)" && \
	  pg=$$(tests/tools/pg16.sh "$$CC_PY_CURRENT") && \
	  $(CARGO) build --release -p codechecker-server && \
	  "$$CC_PY_CURRENT/bin/python" tests/tools/bench_queries.py \
	    --server-bin "$${CARGO_TARGET_DIR:-target}/release/codechecker-server" \
	    --venv "$$CC_PY_CURRENT" --reports $(REPORTS) --pg "$$pg" \
	    --servers codechecker-pg
