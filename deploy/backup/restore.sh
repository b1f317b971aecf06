#!/bin/sh
# Restore one backup folder made by backup.sh: checks its SHA256SUMS, drops and
# re-creates the database, restores the dump, and replaces PRIVATE_DIR's contents
# with the backed-up files. Stop web, workers and beat first (docs/deployment.md).
#
#   restore.sh BACKUP_FOLDER
#
# Connection: PGHOST, PGPORT, PGUSER, PGDATABASE (the database to replace), and
# PGPASSWORD_FILE; PGMAINTENANCE_DB (default postgres) is where DROP/CREATE run.
set -eu
src=${1:?usage: restore.sh BACKUP_FOLDER}
: "${PRIVATE_DIR:=/data/private}" "${PGDATABASE:?set PGDATABASE}" "${PGMAINTENANCE_DB:=postgres}"
if [ -n "${PGPASSWORD_FILE:-}" ]; then
  PGPASSWORD=$(cat "$PGPASSWORD_FILE")
  export PGPASSWORD
fi
(cd "$src" && sha256sum -c --quiet SHA256SUMS)
# --force ends sessions still connected (PostgreSQL 13+).
dropdb --if-exists --force --maintenance-db="$PGMAINTENANCE_DB" "$PGDATABASE"
createdb --maintenance-db="$PGMAINTENANCE_DB" "$PGDATABASE"
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$PGDATABASE" "$src/database.dump"
mkdir -p "$PRIVATE_DIR"
find "$PRIVATE_DIR" -mindepth 1 -delete
tar -C "$PRIVATE_DIR" -xzf "$src/private-files.tar.gz"
echo "restore: $PGDATABASE and $PRIVATE_DIR restored from $src"
