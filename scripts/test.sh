#!/usr/bin/env bash
# The test suite, as CI runs it: installs what the build and the browser test need when
# missing (cmake, g++, libclang; chromium for the HTML report screenshot), then runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --with-browser
cargo test --release
