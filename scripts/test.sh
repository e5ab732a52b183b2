#!/usr/bin/env bash
# README command two: install snare with its test extras, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test
set +e
python -m pytest -q -p no:cacheprovider "$@"
status=$?
set -e
# pytest exits 5 when it collected no tests: that is a failure of the suite, not a pass.
if [ "$status" -eq 5 ]; then echo "ci: pytest collected no tests"; exit 1; fi
exit "$status"
