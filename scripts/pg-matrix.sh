#!/usr/bin/env bash
# Run the test suite against PostgreSQL 13, 14, 15, 16, 17 and 18, one version at a time.
#
#   scripts/pg-matrix.sh                     whole suite on every version
#   scripts/pg-matrix.sh --test it dump::    a subset: the arguments go to `cargo test`
#   PGSYNCER_MATRIX_VERSIONS="13 18" scripts/pg-matrix.sh    only some versions
#   PGSYNCER_MATRIX_TIMEOUT=1800     seconds allowed per version (then the run is killed)
#
# Each run sets PGSYNCER_PG_BINDIR (read by src/sandbox.rs) to that version's server binaries:
# the system's for 15, scripts/fetch-pg.sh's cache for the others (fetched on first use).
# Tests are built once before the first version; the build does not depend on the server.
# Per version the full output goes to target/pg-matrix/<major>.log; at the end a table says,
# per version, how many tests passed and failed and which (as <test binary>::<test name>,
# e.g. it::dump::shop for the integration tests' module dump).
# Exit status: 0 when every version passed, 1 otherwise.
#
# Snapshots: the committed .snap files hold the output of PostgreSQL 15, the version CI runs
# ($PGSYNCER_SNAPSHOT_MAJOR). Server deparsers legitimately print differently on other majors
# (e.g. pg_get_viewdef stops qualifying columns of a single-table view from 16 on; 13 has no
# multirange types and prints procedure arguments without IN), so on other versions a snapshot
# mismatch does not fail the test (INSTA_FORCE_PASS; the test's other assertions still run):
# the table lists it in its own column and the new snapshot is kept under
# target/pg-matrix/<major>-snapshots/ for review. PGSYNCER_MATRIX_STRICT_SNAPSHOTS=1 makes
# mismatches fail on every version. The matrix never leaves .snap.new files in the tree.
set -uo pipefail
cd "$(dirname "$0")/.."

versions=${PGSYNCER_MATRIX_VERSIONS:-13 14 15 16 17 18}
logdir=target/pg-matrix
mkdir -p "$logdir"

echo "pg-matrix: building tests" >&2
if ! cargo test --no-run "$@" >"$logdir/build.log" 2>&1; then
  tail -40 "$logdir/build.log" >&2
  echo "pg-matrix: build failed (full log: $logdir/build.log)" >&2
  exit 1
fi

# Parse a cargo test log: prints "<passed> <failed>" on the first line, then one failing test
# per line as <binary>::<test> (it::<module>::<test> for the integration tests). A test binary
# that died without a verdict per test (signal, panic at start-up) is listed as
# <binary>::(crashed).
summarize() {
  awk '
    /^ *Running / {
      # "Running tests/it/main.rs (target/...)" or "Running unittests src/lib.rs (...)"
      src = ($2 == "unittests") ? $3 : $2
      n = split(src, parts, "/"); bin = parts[n]; sub(/\.rs$/, "", bin)
      # A test binary made of modules (tests/it/main.rs) is named after its directory; its
      # test names already start with the module (dump::..., safety::rls::...).
      if (bin == "main" && n > 1) bin = parts[n - 1]
      if (src ~ /^src\/lib\.rs$/) bin = "lib"
      if (src ~ /^src\/main\.rs$/) bin = "bin"
      seen_result = 0
      next
    }
    /^ *Doc-tests / { bin = "doc:" $2; seen_result = 0; next }
    /^test .* \.\.\. FAILED$/ {
      name = $0; sub(/^test /, "", name); sub(/ \.\.\. FAILED$/, "", name)
      failed_names[++nf] = bin "::" name
      next
    }
    /^test result: / {
      seen_result = 1
      for (i = 1; i <= NF; i++) {
        if ($(i) ~ /^passed;?$/) passed += $(i - 1)
        if ($(i) ~ /^failed;?$/) failed += $(i - 1)
      }
      next
    }
    /^error: test failed, to rerun pass/ {
      if (!seen_result) { failed_names[++nf] = bin "::(crashed)"; failed++ }
      next
    }
    END {
      print passed + 0, failed + 0
      for (i = 1; i <= nf; i++) print failed_names[i]
    }
  ' "$1"
}

snapshot_major=${PGSYNCER_SNAPSHOT_MAJOR:-15}

# Move the pending snapshots written since <marker> out of the tree into <dest>; print their names.
collect_snapshots() {
  local marker=$1 dest=$2 f
  rm -rf "$dest"
  find . -path ./target -prune -o \( -name '*.snap.new' -o -name '*.pending-snap' \) \
      -newer "$marker" -print | sort | while read -r f; do
    mkdir -p "$dest/$(dirname "$f")"
    mv "$f" "$dest/$f"
    basename "$f" | sed -e 's/\.snap\.new$//' -e 's/\.pending-snap$/ (inline)/'
  done
}

declare -A result_pass result_fail result_names result_version result_snaps
overall=0
for major in $versions; do
  bindir=$(scripts/fetch-pg.sh "$major") || {
    result_version[$major]="(fetch failed)"; result_pass[$major]=0; result_fail[$major]="-"
    result_names[$major]="could not fetch PostgreSQL $major"; overall=1; continue
  }
  server=$("$bindir/postgres" --version | awk '{print $3}')
  log="$logdir/$major.log"
  echo "pg-matrix: PostgreSQL $server ($bindir) -> $log" >&2
  start=$(date +%s)
  marker="$logdir/.start-$major"
  touch "$marker"
  if [ "$major" = "$snapshot_major" ] || [ -n "${PGSYNCER_MATRIX_STRICT_SNAPSHOTS:-}" ]; then
    insta=(INSTA_UPDATE=no)
  else
    insta=(INSTA_UPDATE=new INSTA_FORCE_PASS=1)
  fi
  # A hung test must not stall the whole matrix: give each version a time limit.
  timeout --kill-after=30 "${PGSYNCER_MATRIX_TIMEOUT:-1800}" \
    env PGSYNCER_PG_BINDIR="$bindir" "${insta[@]}" \
    cargo test --no-fail-fast "$@" >"$log" 2>&1
  status=$?
  [ "$status" -eq 124 ] && echo "pg-matrix: timed out after ${PGSYNCER_MATRIX_TIMEOUT:-1800}s" >>"$log"
  snaps=$(collect_snapshots "$marker" "$logdir/$major-snapshots" | paste -sd' ' -)
  rm -f "$marker"
  result_snaps[$major]="${snaps:--}"
  secs=$(( $(date +%s) - start ))
  summary=$(summarize "$log")
  read -r npass nfail <<<"$(head -1 <<<"$summary")"
  names=$(tail -n +2 <<<"$summary" | paste -sd' ' -)
  if [ "$status" -ne 0 ] && [ "$nfail" -eq 0 ]; then
    # cargo failed without a failing test: a build error or a crash outside any test.
    nfail="?"; names="cargo exited $status, see $log"
    [ "$status" -eq 124 ] && names="timed out after ${PGSYNCER_MATRIX_TIMEOUT:-1800}s, see $log"
  fi
  [ "$status" -ne 0 ] && overall=1
  result_version[$major]="$server"; result_pass[$major]=$npass; result_fail[$major]=$nfail
  result_names[$major]="${names:--}"
  echo "pg-matrix: PostgreSQL $server: $npass passed, $nfail failed in ${secs}s" >&2
  [ -n "$snaps" ] && echo "pg-matrix: PostgreSQL $server: snapshots that differ from $snapshot_major's: $snaps" >&2
done

echo
printf '%-8s %-9s %7s %7s  %s\n' version server passed failed "failing tests"
for major in $versions; do
  printf '%-8s %-9s %7s %7s  %s\n' "$major" "${result_version[$major]}" \
    "${result_pass[$major]}" "${result_fail[$major]}" "${result_names[$major]}"
done
echo
echo "snapshots that differ from PostgreSQL $snapshot_major's (not counted as failures):"
for major in $versions; do
  [ "$major" = "$snapshot_major" ] && continue
  printf '%-8s %s\n' "$major" "${result_snaps[$major]:--}"
done
echo "logs: $logdir/<major>.log; differing snapshots: $logdir/<major>-snapshots/"
exit $overall
