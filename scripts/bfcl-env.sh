#!/usr/bin/env bash
# Makes the virtual environment of the BFCL agreement harness (scripts/bfcl_agree.py): BFCL's own
# evaluator, bfcl-eval, pinned, from PyPI, installed WITHOUT its dependencies (they include torch,
# vllm, sentence-transformers and every vendor SDK, used only by model handlers and the agentic
# categories), plus the few pinned packages that BFCL's AST checker, its prompting decoder
# (Python `ast`, and tree-sitter for Java and JavaScript) and the import chain of its
# eval_runner need. The package ships BFCL's data (bfcl_eval/data: questions BFCL_v4_*.json and
# possible_answer/). bfcl_eval.constants.model_config imports every model handler (anthropic,
# openai, ...), which is not installed: the harness puts a small stand-in for that one module in
# sys.modules (see bfcl_agree.py); everything else it runs is BFCL's own code.
# Usage: scripts/bfcl-env.sh   (HARDGEN_BFCL_VENV overrides the place: target/bfcl-venv)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${HARDGEN_BFCL_VENV:-$root/target/bfcl-venv}"
py="$venv/bin/python"
pkgs=(
  "bfcl-eval==2026.3.23"
  # The Java and JavaScript prompting decoders (bfcl_eval/model_handler/parser/).
  "tree_sitter==0.21.3" "tree-sitter-java==0.21.0" "tree-sitter-javascript==0.21.4"
  # bfcl_eval.utils, bfcl_eval.model_handler.utils and base_handler.
  "filelock==3.20.0" "tenacity==9.1.2" "overrides==7.7.0"
  # bfcl_eval.eval_checker.eval_runner (dotenv, tqdm) and its eval_runner_helper (numpy, pandas).
  "python-dotenv==1.1.1" "tqdm==4.67.1" "numpy==1.26.4" "pandas==2.2.3"
  "python-dateutil==2.9.0.post0" "pytz==2025.2" "tzdata==2025.2" "six==1.17.0"
)
# Ready when every pin is installed and BFCL's runner, checker and decoders import.
probe='import sys, types
m = types.ModuleType("bfcl_eval.constants.model_config"); m.MODEL_CONFIG_MAPPING = {}
sys.modules["bfcl_eval.constants.model_config"] = m
import bfcl_eval.eval_checker.eval_runner, bfcl_eval.model_handler.utils
from bfcl_eval.model_handler.parser.java_parser import parse_java_function_call
from bfcl_eval.model_handler.parser.js_parser import parse_javascript_function_call
assert parse_java_function_call("A.f(a=\"x\", b=true)") == [{"A.f": {"a": "x", "b": "true"}}]
assert parse_javascript_function_call("f(a=1)") == [{"f": {"a": "1"}}]'
pins='import sys, importlib.metadata as md
bad = [s for s in sys.argv[1:] if md.version(s.split("==")[0]) != s.split("==")[1]]
sys.exit(1 if bad else 0)'
ready() { "$py" -c "$pins" "${pkgs[@]}" 2>/dev/null && (cd / && "$py" -c "$probe" 2>/dev/null); }
if [ -x "$py" ] && ready; then
  echo "bfcl env: ready at $venv"
  exit 0
fi
fail() {
  echo "bfcl env: FAILED: $1" >&2
  # No half-made environment: the tier's test runs only where this script succeeded.
  rm -rf "$venv"
  exit 1
}
command -v python3 >/dev/null || fail "python3 is not installed"
[ -x "$py" ] || python3 -m venv "$venv" || fail "python3 cannot make a virtual environment (python3-venv missing?)"
"$py" -m pip install --quiet --disable-pip-version-check --no-deps "${pkgs[@]}" \
  || fail "pip could not install ${pkgs[*]} from PyPI"
ready || fail "BFCL's checker or decoders do not import in $venv"
echo "bfcl env: made at $venv"
