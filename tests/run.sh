#!/usr/bin/env bash
# The project's test command (README, CI): installs the Debian packages the tests use, then runs the tests.
#   bash tests/run.sh            every test (what CI runs)
#   bash tests/run.sh --fast     without the slow ones and those that drive external programs (traits Category=Slow
#                                and Category=External); only the packages the product itself needs are installed
#   any other arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Soft")
#
# What the product needs beyond the .NET runtime (installed for --fast too):
#   libgtk-3-0, libdrm2, libatomic1   shared libraries OpenCvSharp's native OpenCV (the image decoder) links against;
#                                     every test that decodes an image needs them (docs/image-decoding.md)
# What the tests use beyond the .NET SDK (each one checked by a test that fails without it):
#   python3-torch     real PyTorch 1.13 reads the checkpoints we write, to prove they are PyTorch's format
#   python3-opencv    the side-by-side runner's script imports cv2 as the authors' code does
#   nginx-light       the deployment test runs docker/nginx/detector.conf in front of the real service
#   docker-compose    validates the compose files (no Docker engine is needed for that)
#   chromium          the browser test opens the detection page headless (driven over the DevTools protocol)
#   kubectl           renders deploy/kubernetes offline (kubectl kustomize); no cluster is needed
#   python3-jsonschema, python3-yaml
#                     tests/fixtures/kubernetes/validate_manifests.py validates the rendered objects against the
#                     committed Kubernetes v1.32.2 / KEDA / Prometheus Operator schemas
#   yamllint          lints the manifests
set -euo pipefail
cd "$(dirname "$0")/.."

fast=0
arguments=()
for argument in "$@"; do
  if [ "$argument" = "--fast" ]; then fast=1; else arguments+=("$argument"); fi
done

packages=(libgtk-3-0 libdrm2 libatomic1)
((fast)) || packages+=(python3-torch python3-opencv nginx-light docker-compose chromium kubectl python3-jsonschema python3-yaml yamllint)
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

if ((fast)); then
  exec dotnet test CornerNet.Service.sln -c Release --filter "Category!=Slow&Category!=External" "${arguments[@]}"
fi

dotnet test CornerNet.Service.sln -c Release "${arguments[@]}"
