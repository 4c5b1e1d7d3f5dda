#!/usr/bin/env bash
# Fetches the pinned xds-protos wheel (third_party/xds-protos.env) from PyPI into
# .cache/xds-protos/<version>/ and verifies its sha256. Prints the path of the verified wheel.
# Idempotent: a cached wheel whose hash matches is reused; anything else is fetched again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../third_party/xds-protos.env
. "$root/third_party/xds-protos.env"
want=$XDS_PROTOS_SHA256
dest="$root/.cache/xds-protos/$XDS_PROTOS_VERSION"
wheel="$dest/xds_protos-$XDS_PROTOS_VERSION-py3-none-any.whl"
if [ -f "$wheel" ] && [ "$(sha256sum "$wheel" | cut -d' ' -f1)" = "$want" ]; then
  echo "$wheel"
  exit 0
fi
mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --dest "$tmp" "xds-protos==$XDS_PROTOS_VERSION" >&2
got_wheel=$(ls "$tmp"/xds_protos-*.whl)
got=$(sha256sum "$got_wheel" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
  echo "fetch-xds-protos: sha256 mismatch for xds-protos $XDS_PROTOS_VERSION: got $got, want $want" >&2
  exit 1
fi
mv -f "$got_wheel" "$wheel"
echo "$wheel"
