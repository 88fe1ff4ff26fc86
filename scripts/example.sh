#!/usr/bin/env bash
# Builds the bundled example image on the local Docker engine, installing what is missing.
source "$(dirname "$0")/lib.sh"
ensure_venv
ensure_docker
ensure_base_image
cd "$REPO/examples"
exec "$VENV/bin/cattle" build -force "$@" docker-example.json
