#!/usr/bin/env bash
# The project's test command (README, CI). Installs the Debian packages the tests use, then runs every test.
#   python3-torch: real PyTorch 1.13 reads the checkpoints we write, to prove they are PyTorch's format.
#   nginx-light: the deployment test runs docker/nginx/detector.conf in front of the real service.
#   docker-compose: validates the compose files (no Docker engine is needed for that).
#   chromium: the browser test opens the detection page headless (driven over the DevTools protocol).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(python3-torch nginx-light docker-compose chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet test CornerNet.Service.sln -c Release "$@"
