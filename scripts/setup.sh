#!/usr/bin/env bash
# One command for a fresh machine: install what is missing, build (release), and solve the
# bundled demo instance. The first build compiles HiGHS from source (about 5-7 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cargo build --release
./target/release/cartnet solve "$@"
