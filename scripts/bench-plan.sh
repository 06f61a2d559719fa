#!/usr/bin/env bash
# Benchmark `pgsyncer plan` (connect + introspect both sides + diff + order + validate +
# render) between two schemas of 2,000 tables (primary key, index, foreign key, comment),
# 500 views and 500 functions each, differing in 5 % of their objects, in a throwaway
# cluster. Prints the median over RUNS runs (default 5) and the ratio to the 3 s target.
# Usage: scripts/bench-plan.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --bin pgsyncer --example bench_plan
exec target/release/examples/bench_plan "${1:-5}"
