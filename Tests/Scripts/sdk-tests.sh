#!/usr/bin/env bash
# Square's own Python SDK (squareup, from PyPI) against `optimist serve`, on SQLite and on
# PostgreSQL (OPTIMIST_TEST_PG, set by `pg-server.sh run`; without it the PostgreSQL pass
# fails, never skips). `make test` runs it after the Swift tests.
#
#   sdk-tests.sh OPTIMIST_BINARY SCRATCH_FOLDER [pytest arguments…]
#
# The virtual environment is SCRATCH_FOLDER/sdk-venv, made once; its squareup version is
# printed. Tests/SDKTests/conftest.py says what the suite needs.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$(realpath "$1")
venv=$2/sdk-venv
shift 2

# The SDK's major version the suite is written for (`from square import Square`, ApiError).
requirement='squareup>=46,<47'
if ! "$venv/bin/python" -c 'import square, pytest' 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv" || {
    echo "sdk-tests.sh: python3 cannot make a virtual environment (Debian: apt-get install python3-venv)" >&2
    exit 1
  }
  "$venv/bin/pip" install -q --disable-pip-version-check "$requirement" pytest
fi
echo "Square Python SDK: squareup $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("squareup"))')"

for engine in sqlite postgresql; do
  echo "SDK suite on $engine"
  OPTIMIST_BIN=$binary OPTIMIST_TEST_ENGINE=$engine \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning Tests/SDKTests "$@"
done
