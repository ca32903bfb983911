#!/usr/bin/env bash
# Install xxgk with its test dependencies into .venv and run the checks and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[dev,docs,web,corpus,ocr]'
.venv/bin/ruff check src tests bench
.venv/bin/mypy src
set +e
.venv/bin/pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
