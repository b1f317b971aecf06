#!/bin/sh
# Make sure $TLS_CERT_DIR holds tls.crt and tls.key. A pair already there (your
# certificate, mounted from ./secrets/tls) is left alone; otherwise a self-signed
# pair for $TLS_CERT_CN (and localhost, 127.0.0.1) is made, valid 825 days.
# Runs as an entrypoint hook of the official nginx image (/docker-entrypoint.d/),
# and on the host in deploy/compose_check.py and the cluster test.
set -eu
dir=${TLS_CERT_DIR:-/etc/nginx/certs}
cn=${TLS_CERT_CN:-localhost}
if [ -s "$dir/tls.crt" ] && [ -s "$dir/tls.key" ]; then
  echo "ensure-cert: using the certificate in $dir"
  exit 0
fi
if ! command -v openssl >/dev/null 2>&1; then
  echo "ensure-cert: no certificate in $dir and no openssl to make one" >&2
  exit 1
fi
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 825 \
  -subj "/CN=$cn" \
  -addext "subjectAltName=DNS:$cn,DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/tls.key.new" -out "$dir/tls.crt.new" 2>/dev/null
chmod 644 "$dir/tls.crt.new"
mv "$dir/tls.key.new" "$dir/tls.key"
mv "$dir/tls.crt.new" "$dir/tls.crt"
echo "ensure-cert: made a self-signed certificate for $cn in $dir"
