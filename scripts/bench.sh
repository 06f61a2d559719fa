#!/usr/bin/env bash
# Benchmark of the data sync on two throwaway clusters (this machine, same run):
#   floor    raw binary COPY … TO STDOUT | COPY … FROM STDIN, the four tables in parallel
#   dump     pg_dump -Fc --data-only | pg_restore --data-only (when installed)
#   initial  pgsyncer into empty standin tables
#   same     pgsyncer again, identical data
#   change   pgsyncer after 1 % updates, 0.1 % deletes, 0.5 % inserts on main
#   modes    (MODES=1, default) --use-updated-at and --fdw-mode, initial and after a 1 % change
#   bounds   what the servers alone spend fingerprinting every row (examples/bench_bound.rs):
#            no exact re-sync can be cheaper than both servers doing that, on this machine
# Each is run RUNS times (default 3); medians and ratios are printed, plus pgsyncer's peak RSS.
# Dataset: ~1.1 M rows, ~250 MB: a bigint-key table (text/numeric/jsonb/timestamptz), a
# uuid-key table, a composite-key table and a keyless table.
#
#   scripts/bench.sh            # ROWS=600000 RUNS=3 WORKERS=4 CHUNK=10000 to change
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
ROWS=${ROWS:-600000}          # rows of the bigint-key table; the others scale from it
WORKERS=${WORKERS:-4}
CHUNK=${CHUNK:-10000}

echo "building (release)…" >&2
cargo build --release --quiet --bin pgsyncer --example bench_clusters --example bench_bound
BIN=target/release/pgsyncer

work=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
mkfifo "$work/ctl"
# The clusters live as long as fd 3 (the example's stdin) stays open.
target/release/examples/bench_clusters <"$work/ctl" >"$work/urls" &
exec 3>"$work/ctl"
for _ in $(seq 1 600); do grep -q READY "$work/urls" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$work/urls" || { echo "clusters did not start" >&2; exit 1; }
MAIN_ADMIN=$(sed -n 's/^MAIN=//p' "$work/urls")
STANDIN_ADMIN=$(sed -n 's/^STANDIN=//p' "$work/urls")
BINDIR=$(sed -n 's/^BINDIR=//p' "$work/urls")
MAIN=${MAIN_ADMIN%/postgres}/bench
STANDIN=${STANDIN_ADMIN%/postgres}/bench
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" "$MAIN_ADMIN" -c "CREATE DATABASE bench"
"${PSQL[@]}" "$STANDIN_ADMIN" -c "CREATE DATABASE bench"

SCHEMA="
CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL, balance numeric(14,2) NOT NULL,
                       profile jsonb NOT NULL, note text, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE sessions (id uuid PRIMARY KEY, account_id bigint NOT NULL, started_at timestamptz NOT NULL, agent text, ip inet);
CREATE TABLE ledger (account_id bigint NOT NULL, seq int NOT NULL, amount numeric(12,2) NOT NULL, memo text,
                     at timestamptz NOT NULL, PRIMARY KEY (account_id, seq));
CREATE TABLE events (at timestamptz NOT NULL, kind text NOT NULL, payload jsonb);
"
TABLES=(accounts sessions ledger events)
"${PSQL[@]}" "$MAIN" -c "$SCHEMA"
"${PSQL[@]}" "$STANDIN" -c "$SCHEMA"
echo "loading main ($ROWS accounts)…" >&2
"${PSQL[@]}" "$MAIN" <<SQL
INSERT INTO accounts
SELECT i, 'Account holder ' || i, 'user' || i || '@example.com', (i % 100000) * 1.37,
       jsonb_build_object('plan', (ARRAY['free','pro','team'])[1 + i % 3], 'tags', jsonb_build_array('a' || i % 7, 'b' || i % 11), 'score', i % 1000),
       repeat(md5(i::text), 3), '2020-01-01'::timestamptz + i * interval '1 minute', '2024-01-01'::timestamptz + i * interval '1 second'
FROM generate_series(1, $ROWS) AS i;
INSERT INTO sessions
SELECT md5('s' || i)::uuid, 1 + i % $ROWS, '2024-01-01'::timestamptz + i * interval '3 seconds',
       'Mozilla/5.0 (X11; Linux x86_64) build ' || i % 5000, ('10.' || i % 250 || '.' || i % 251 || '.' || i % 249)::inet
FROM generate_series(1, $ROWS / 3) AS i;
INSERT INTO ledger
SELECT 1 + i / 4, i % 4, (i % 5000) / 3.0, 'transfer ' || i, '2023-01-01'::timestamptz + i * interval '7 seconds'
FROM generate_series(0, $ROWS / 3 - 1) AS i;
INSERT INTO events
SELECT '2024-06-01'::timestamptz + (i / 3) * interval '1 second', (ARRAY['click','view','buy'])[1 + i % 3],
       CASE WHEN i % 4 = 0 THEN NULL ELSE jsonb_build_object('n', i % 50) END
FROM generate_series(1, $ROWS / 6) AS i;
VACUUM ANALYZE;
SQL
summary=$("${PSQL[@]}" -At "$MAIN" -c "SELECT sum(n_live_tup)::bigint || ' rows, ' || pg_size_pretty(pg_database_size(current_database())) FROM pg_stat_user_tables")
echo "dataset: $summary" >&2

truncate_standin() { "${PSQL[@]}" "$STANDIN" -c "TRUNCATE $(IFS=,; echo "${TABLES[*]}")" >/dev/null; }
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
peak_rss_kb=0
# Run pgsyncer under /usr/bin/time -v (or python's rusage) and keep the peak RSS.
run_pgsyncer() {
  local rss
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$work/time" "$BIN" --sync-schema=false --workers "$WORKERS" --chunk-size "$CHUNK" \
      --maindsn "$MAIN" --standindsn "$STANDIN" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" "$work/out" >&2; exit 1; }
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
  else
    rss=$(python3 - "$BIN" --sync-schema=false --workers "$WORKERS" --chunk-size "$CHUNK" --maindsn "$MAIN" --standindsn "$STANDIN" "$@" <<'PY'
import resource, subprocess, sys
with open('/dev/null', 'w') as null:
    subprocess.run(sys.argv[1:], check=True, stdout=null)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)
  fi
  [ "$rss" -gt "$peak_rss_kb" ] && peak_rss_kb=$rss
  return 0
}

floor=(); dump=(); initial=(); same=(); change=(); bound_main=(); bound_rows=(); bound_keys=()
for run in $(seq 1 "$RUNS"); do
  echo "run $run/$RUNS…" >&2
  truncate_standin
  t0=$(now)
  printf '%s\n' "${TABLES[@]}" | xargs -P 4 -I{} sh -c \
    "psql -X -q -v ON_ERROR_STOP=1 '$MAIN' -c 'COPY {} TO STDOUT (FORMAT binary)' | psql -X -q -v ON_ERROR_STOP=1 '$STANDIN' -c 'COPY {} FROM STDIN (FORMAT binary)'"
  floor+=("$(elapsed "$t0" "$(now)")")

  if command -v pg_dump >/dev/null && command -v pg_restore >/dev/null; then
    truncate_standin
    t0=$(now)
    pg_dump -Fc --data-only -d "$MAIN" | pg_restore --data-only -d "$STANDIN"
    dump+=("$(elapsed "$t0" "$(now)")")
  fi

  truncate_standin
  t0=$(now); run_pgsyncer; initial+=("$(elapsed "$t0" "$(now)")")
  t0=$(now); run_pgsyncer; same+=("$(elapsed "$t0" "$(now)")")
  grep -q "total" "$work/out" && tail -n 3 "$work/out" | head -n 1 >&2
  target/release/examples/bench_bound "$MAIN" "$STANDIN" >"$work/bound"
  bound_main+=("$(sed -n 's/^MAIN_ROWS=//p' "$work/bound")")
  bound_rows+=("$(sed -n 's/^BOTH_ROWS=//p' "$work/bound")")
  bound_keys+=("$(sed -n 's/^BOTH_KEYS=//p' "$work/bound")")

  # 1 % updates, 0.1 % deletes, 0.5 % inserts on main (different rows each run).
  "${PSQL[@]}" "$MAIN" <<SQL
UPDATE accounts SET balance = balance + 1, updated_at = now() WHERE id % 100 = $run;
DELETE FROM accounts WHERE id % 1000 = 500 + $run;
INSERT INTO accounts SELECT $ROWS * 10 * $run + i, 'new', 'new@example.com', 0, '{}', NULL, now(), now() FROM generate_series(1, $ROWS / 200) AS i;
UPDATE sessions SET agent = agent || '!' WHERE ('x' || substr(id::text, 1, 8))::bit(32)::int % 100 = $run;
UPDATE ledger SET amount = amount + 1 WHERE (account_id + seq) % 100 = $run;
DELETE FROM ledger WHERE (account_id * 7 + seq) % 1000 = $run;
UPDATE events SET kind = kind || '!' WHERE ctid IN (SELECT ctid FROM events TABLESAMPLE SYSTEM (1) REPEATABLE ($run));
INSERT INTO events SELECT now(), 'late', NULL FROM generate_series(1, $ROWS / 6 / 200);
SQL
  t0=$(now); run_pgsyncer; change+=("$(elapsed "$t0" "$(now)")")
  tail -n 4 "$work/out" | head -n 1 >&2
  # Check: nothing left to do.
  run_pgsyncer --json
  python3 -c "import json,sys; d=json.load(open('$work/out')); n=sum(t['inserted']+t['updated']+t['deleted'] for t in d['tables']); sys.exit(f'{n} changes left after sync' if n else 0)"
done

# ---- Modes section (--use-updated-at, --fdw-mode; owned by the incremental/FDW work) ----
# MODES=0 skips it. Same clusters and rows, measured after the default runs above: sessions and
# ledger get an updated_at column (ALTER … ADD COLUMN with a constant default: no rewrite, so
# the default figures above are untouched); events stays keyless (always compared in full).
# Per run: incremental initial (records the watermark), 1 % change, incremental, 1 % change,
# incremental with --no-deletes (then only the deletes may be left); then FDW
# initial, 1 % change, FDW full merge, 1 % change, FDW + incremental. Each sync is checked by
# a default-mode run that must find nothing left to do.
MODES=${MODES:-1}
incr_initial=(); incr_change=(); incr_nodel=(); incr_bound=(); fdw_initial=(); fdw_change=(); fdw_incr=()
check_converged() {
  run_pgsyncer --json
  python3 -c "import json,sys; d=json.load(open('$work/out')); n=sum(t['inserted']+t['updated']+t['deleted'] for t in d['tables']); sys.exit(f'$1: {n} changes left after sync' if n else 0)"
}
# 1 % updates (stamping updated_at), 0.1 % deletes, 0.5 % inserts; $1 makes each call's rows differ.
change_main() {
  "${PSQL[@]}" "$MAIN" <<SQL
UPDATE accounts SET balance = balance + 1, updated_at = now() WHERE id % 100 = $1 % 100;
DELETE FROM accounts WHERE id % 1000 = (500 + $1) % 1000;
INSERT INTO accounts SELECT $ROWS * 100 + $ROWS * $1 + i, 'new', 'new@example.com', 0, '{}', NULL, now(), now() FROM generate_series(1, $ROWS / 200) AS i;
UPDATE sessions SET agent = agent || '!', updated_at = now() WHERE ('x' || substr(id::text, 1, 8))::bit(32)::int % 100 = $1 % 100;
UPDATE ledger SET amount = amount + 1, updated_at = now() WHERE (account_id + seq) % 100 = $1 % 100;
DELETE FROM ledger WHERE (account_id * 7 + seq) % 1000 = $1 % 1000;
UPDATE events SET kind = kind || '!' WHERE ctid IN (SELECT ctid FROM events TABLESAMPLE SYSTEM (1) REPEATABLE ($1));
INSERT INTO events SELECT now(), 'late', NULL FROM generate_series(1, $ROWS / 6 / 200);
SQL
}
if [ "$MODES" = 1 ]; then
  for db in "$MAIN" "$STANDIN"; do
    "${PSQL[@]}" "$db" -c "ALTER TABLE sessions ADD COLUMN updated_at timestamptz NOT NULL DEFAULT '2024-01-01'" \
                       -c "ALTER TABLE ledger ADD COLUMN updated_at timestamptz NOT NULL DEFAULT '2024-01-01'"
  done
  for run in $(seq 1 "$RUNS"); do
    echo "modes run $run/$RUNS…" >&2
    truncate_standin
    "${PSQL[@]}" "$STANDIN" -c "DROP SCHEMA IF EXISTS pgsyncer CASCADE" >/dev/null
    t0=$(now); run_pgsyncer --use-updated-at; incr_initial+=("$(elapsed "$t0" "$(now)")")
    change_main $((run * 10 + 1))
    t0=$(now); run_pgsyncer --use-updated-at; incr_change+=("$(elapsed "$t0" "$(now)")")
    grep -E "^public\.|^watermark" "$work/out" >&2 || true
    check_converged "incremental"
    # --no-deletes: the same change without the key-set pass; then only deletes may be left.
    change_main $((run * 10 + 4))
    t0=$(now); run_pgsyncer --use-updated-at --no-deletes; incr_nodel+=("$(elapsed "$t0" "$(now)")")
    run_pgsyncer --json
    python3 -c "import json,sys; d=json.load(open('$work/out')); n=sum(t['inserted']+t['updated'] for t in d['tables'] if t['table']!='public.events'); sys.exit(f'--no-deletes: {n} inserts/updates left' if n else 0)"
    target/release/examples/bench_bound "$MAIN" "$STANDIN" >"$work/bound"
    incr_bound+=("$(sed -n 's/^INCR=//p' "$work/bound")")

    truncate_standin
    "${PSQL[@]}" "$STANDIN" -c "DROP SCHEMA IF EXISTS pgsyncer CASCADE" >/dev/null
    t0=$(now); run_pgsyncer --fdw-mode --use-updated-at; fdw_initial+=("$(elapsed "$t0" "$(now)")")
    check_converged "fdw initial"
    change_main $((run * 10 + 2))
    t0=$(now); run_pgsyncer --fdw-mode; fdw_change+=("$(elapsed "$t0" "$(now)")")
    grep -E "^public\." "$work/out" >&2 || true
    check_converged "fdw"
    change_main $((run * 10 + 3))
    t0=$(now); run_pgsyncer --fdw-mode --use-updated-at; fdw_incr+=("$(elapsed "$t0" "$(now)")")
    check_converged "fdw incremental"
  done
fi

m_floor=$(median "${floor[@]}")
m_initial=$(median "${initial[@]}")
m_same=$(median "${same[@]}")
m_change=$(median "${change[@]}")
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
echo
echo "dataset: $summary; $RUNS runs, medians (seconds); workers $WORKERS, chunk $CHUNK; $(nproc) cores"
printf '%-44s %8s  %s\n' "raw binary COPY pipe, 4 tables in parallel" "$m_floor" "(floor)"
if [ ${#dump[@]} -gt 0 ]; then
  m_dump=$(median "${dump[@]}")
  printf '%-44s %8s  %sx floor\n' "pg_dump -Fc --data-only | pg_restore" "$m_dump" "$(ratio "$m_dump" "$m_floor")"
fi
printf '%-44s %8s  %sx floor%s\n' "pgsyncer into empty standin" "$m_initial" "$(ratio "$m_initial" "$m_floor")" \
  "${m_dump:+, $(ratio "$m_initial" "$m_dump")x pg_dump|pg_restore}"
printf '%-44s %8s  %sx initial\n' "pgsyncer again, identical data" "$m_same" "$(ratio "$m_same" "$m_initial")"
printf '%-44s %8s  %sx initial\n' "pgsyncer after 1%/0.1%/0.5% upd/del/ins" "$m_change" "$(ratio "$m_change" "$m_initial")"
printf '%-44s %8s MB\n' "pgsyncer peak RSS (max over runs)" "$((peak_rss_kb / 1024))"
m_bmain=$(median "${bound_main[@]}"); m_brows=$(median "${bound_rows[@]}"); m_bkeys=$(median "${bound_keys[@]}")
echo "lower bounds (servers only: one aggregate per table, all tables at once, nothing sent or compared):"
printf '%-44s %8s  %sx initial\n' "main alone fingerprints every row" "$m_bmain" "$(ratio "$m_bmain" "$m_initial")"
printf '%-44s %8s  %sx initial; pgsyncer identical re-sync %sx this\n' "both servers fingerprint every row" "$m_brows" \
  "$(ratio "$m_brows" "$m_initial")" "$(ratio "$m_same" "$m_brows")"
printf '%-44s %8s  %sx initial\n' "both servers hash every key (keyless: row)" "$m_bkeys" "$(ratio "$m_bkeys" "$m_initial")"
echo "all runs: floor ${floor[*]} | dump ${dump[*]:-} | initial ${initial[*]} | same ${same[*]} | change ${change[*]} | bounds main ${bound_main[*]} both ${bound_rows[*]} keys ${bound_keys[*]}"
if [ "$MODES" = 1 ]; then
  m_ii=$(median "${incr_initial[@]}"); m_ic=$(median "${incr_change[@]}")
  m_fi=$(median "${fdw_initial[@]}"); m_fc=$(median "${fdw_change[@]}"); m_fic=$(median "${fdw_incr[@]}")
  echo "modes (sessions and ledger with an updated_at column; events keyless, compared in full):"
  printf '%-44s %8s  %sx initial\n' "--use-updated-at into empty standin" "$m_ii" "$(ratio "$m_ii" "$m_initial")"
  printf '%-44s %8s  %sx initial, %sx default after change\n' "--use-updated-at after 1%/0.1%/0.5% change" "$m_ic" \
    "$(ratio "$m_ic" "$m_initial")" "$(ratio "$m_ic" "$m_change")"
  m_in=$(median "${incr_nodel[@]}")
  printf '%-44s %8s  %sx initial\n' "--use-updated-at --no-deletes after change" "$m_in" "$(ratio "$m_in" "$m_initial")"
  m_ib=$(median "${incr_bound[@]}")
  printf '%-44s %8s  %sx initial; pgsyncer incremental %sx this\n' "bound: keys on both + main's updated_at scan" "$m_ib" \
    "$(ratio "$m_ib" "$m_initial")" "$(ratio "$m_ic" "$m_ib")"
  printf '%-44s %8s  %sx initial\n' "--fdw-mode into empty standin" "$m_fi" "$(ratio "$m_fi" "$m_initial")"
  printf '%-44s %8s  %sx initial, %sx default after change\n' "--fdw-mode after 1%/0.1%/0.5% change" "$m_fc" \
    "$(ratio "$m_fc" "$m_initial")" "$(ratio "$m_fc" "$m_change")"
  printf '%-44s %8s  %sx initial\n' "--fdw-mode --use-updated-at after change" "$m_fic" "$(ratio "$m_fic" "$m_initial")"
  echo "modes runs: incr initial ${incr_initial[*]} | incr change ${incr_change[*]} | no deletes ${incr_nodel[*]} | incr bound ${incr_bound[*]} | fdw initial ${fdw_initial[*]} | fdw change ${fdw_change[*]} | fdw incr ${fdw_incr[*]}"
fi
