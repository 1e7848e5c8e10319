#!/usr/bin/env bash
# Sets up everything and runs Bulwark on the embedded SQLite database (./bulwark.db):
# installs what is missing, builds, loads the demo platform into a database that does not exist
# yet (`bulwark demo`, docs/demo.md; DEMO=0 skips it), creates a development API key on first
# run, serves.
#   PORT=8080 ADDRESS=127.0.0.1 scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
PORT=${PORT:-8080}
ADDRESS=${ADDRESS:-127.0.0.1}
DB=${DB:-sqlite:bulwark.db}
DEMO=${DEMO:-1}

scripts/setup.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBULWARK_BUILD_TESTS=OFF \
      -DBULWARK_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j "$JOBS" --target bulwark
BIN=build-release/src/cli/bulwark

# A new SQLite database starts with the demo platform, so every page has data.
case "$DB" in
  postgresql://*|postgres://*) DB_FILE= ;;
  sqlite:*) DB_FILE=${DB#sqlite:} ;;
  *) DB_FILE=$DB ;;
esac
if [ "$DEMO" != 0 ] && [ -n "$DB_FILE" ] && [ ! -e "$DB_FILE" ]; then
  echo "Loading the demo platform into $DB_FILE (once; delete the file to start again)..."
  "$BIN" demo --db "$DB" --credentials-file "$DB_FILE.credentials"
fi

# A development key, kept in .bulwark-dev-key (git-ignored); recreated if it stops working.
KEYFILE=.bulwark-dev-key
if [ ! -s "$KEYFILE" ] || ! "$BIN" keys list --db "$DB" 2>/dev/null | grep -q "$(cut -c5-16 "$KEYFILE")"; then
  "$BIN" keys create --db "$DB" --name dev --role platform > "$KEYFILE" 2>/dev/null
fi
KEY=$(cat "$KEYFILE")
if [ -n "$DB_FILE" ] && [ -s "$DB_FILE.credentials" ]; then
  CREDENTIALS="Demo staff users (username, password, role, queues) from $DB_FILE.credentials:
$(grep -v '^#' "$DB_FILE.credentials" | sed 's/^/  /')
Try reviewer-safety (threats, harassment) or reviewer-hate in the console."
else
  CREDENTIALS="No demo staff users: create one with
  $BIN users create --db $DB --username admin --role admin"
fi
cat <<MSG

Development API key (role platform): $KEY
Try it:
  curl -s -X POST http://$ADDRESS:$PORT/v1/items \\
    -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\
    -d '{"items":[{"id":"post-1","author_id":"user-1","text":"Hello, world","created_at":"2026-11-29T12:00:00Z"}]}'

Reviewer console: http://$ADDRESS:$PORT/console/
$CREDENTIALS

MSG
# Plain HTTP is only for loopback: elsewhere the console's cookies stay Secure (__Host-), and the
# server belongs behind a TLS-terminating proxy (docs/operations.md).
case "$ADDRESS" in
  127.*|localhost|::1) HTTP_FLAGS=(--insecure-http) ;;
  *) HTTP_FLAGS=()
     echo "Note: $ADDRESS is not loopback, so session cookies are Secure: open the console through HTTPS." ;;
esac
exec "$BIN" serve --db "$DB" --address "$ADDRESS" --port "$PORT" "${HTTP_FLAGS[@]}"
