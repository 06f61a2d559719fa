#!/usr/bin/env bash
# Benchmark catalog introspection and `pgsyncer dump` on a schema of 2,000 tables (each
# with a primary key, two indexes, a foreign key and a comment), 500 views and 500
# functions, in a throwaway cluster. Prints medians over RUNS runs (default 5).
# Usage: scripts/bench-introspect.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --release --example bench_introspect -- "${1:-5}"
