#!/bin/sh
# Backups of the portal: the database (pg_dump, custom format) and the private
# files (a tar of PRIVATE_DIR), one folder per run under BACKUP_DIR, kept
# BACKUP_KEEP_DAYS days. The dump is taken first, so every file a dumped row names
# is in the tar (files newer than the dump are harmless extras).
#
#   backup.sh once    one backup now
#   backup.sh loop    a backup at start when there is none from the last 24 h, then
#                     one every day at BACKUP_AT (UTC); touches .heartbeat every 30 s
#
# Connection: the libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE); the
# password from PGPASSWORD_FILE (a compose secret). Restore: restore.sh.
set -eu
: "${BACKUP_DIR:=/backups}" "${BACKUP_KEEP_DAYS:=14}" "${BACKUP_AT:=02:30}" "${PRIVATE_DIR:=/data/private}"
if [ -n "${PGPASSWORD_FILE:-}" ]; then
  PGPASSWORD=$(cat "$PGPASSWORD_FILE")
  export PGPASSWORD
fi

backup_once() {
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  work="$BACKUP_DIR/.partial-$stamp"
  mkdir -p "$work"
  pg_dump --format=custom --no-owner --no-privileges --file="$work/database.dump"
  tar -C "$PRIVATE_DIR" -czf "$work/private-files.tar.gz" .
  (cd "$work" && sha256sum database.dump private-files.tar.gz > SHA256SUMS)
  mv "$work" "$BACKUP_DIR/$stamp"
  # Keep BACKUP_KEEP_DAYS days of backups (folders are named by their UTC time).
  find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '20*' -mtime +"$BACKUP_KEEP_DAYS" -exec rm -rf {} +
  date -u +%s > "$BACKUP_DIR/.last-success"
  rm -f "$BACKUP_DIR/.last-failure"
  echo "backup: $BACKUP_DIR/$stamp"
}

run_logged() {
  if ! (backup_once); then
    date -u +%s > "$BACKUP_DIR/.last-failure"
    echo "backup: FAILED" >&2
  fi
}

mkdir -p "$BACKUP_DIR"
case "${1:-loop}" in
  once)
    backup_once
    ;;
  loop)
    last=$(cat "$BACKUP_DIR/.last-success" 2>/dev/null || echo 0)
    if [ $(( $(date -u +%s) - last )) -gt 86400 ]; then run_logged; fi
    done_on=""
    while :; do
      touch "$BACKUP_DIR/.heartbeat"
      today=$(date -u +%F)
      if [ "$(date -u +%H:%M)" = "$BACKUP_AT" ] && [ "$done_on" != "$today" ]; then
        run_logged
        done_on=$today
      fi
      sleep 30
    done
    ;;
  *)
    echo "usage: $0 once|loop" >&2
    exit 2
    ;;
esac
