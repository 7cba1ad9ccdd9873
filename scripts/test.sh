#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every test of the workspace.
# Tests that read ../shared (conformance data, public bundles) print SKIPPED when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --workspace "$@"
