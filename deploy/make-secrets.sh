#!/bin/sh
# Create the files docker-compose.yml reads as secrets, once: random Django key and
# database password, an empty e-mail password (fill it in for a real SMTP server).
# ./secrets is in .gitignore and .dockerignore.
set -eu
dir=${1:-secrets}
mkdir -p "$dir/tls"
chmod 700 "$dir"
umask 077
random() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }
[ -s "$dir/secret_key" ] || random 64 > "$dir/secret_key"
[ -s "$dir/db_password" ] || random 32 > "$dir/db_password"
[ -e "$dir/email_password" ] || : > "$dir/email_password"
echo "secrets in $dir: $(ls "$dir" | tr '\n' ' ')"
