#!/bin/bash
# MongoDB in compose: a single-node replica set (the outbox relay and change-safe writes are
# developed against replica-set semantics) with authentication on. A replica set with auth
# needs a key file for internal authentication; it is made once, kept in the mongo-config
# volume, and readable by mongod only. Then the image's own entrypoint runs as usual (it
# creates the root user from MONGO_INITDB_ROOT_* on the first start).
set -euo pipefail

keyfile=/data/configdb/replica-set.key
if [ ! -s "$keyfile" ]; then
  head -c 756 /dev/urandom | base64 -w 0 > "$keyfile"
fi
chown mongodb:mongodb "$keyfile"
chmod 400 "$keyfile"

exec docker-entrypoint.sh "$@"
