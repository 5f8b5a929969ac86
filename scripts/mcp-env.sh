#!/usr/bin/env bash
# Makes the environment of the MCP test tier: a virtual environment with the official `mcp` Python
# package (FastMCP), pinned, from PyPI, which runs the project's own stateful test server
# (tests/mcp/server.py); and the third-party MCP server @modelcontextprotocol/server-memory,
# pinned, from npm, run with node. The tier's tests use them when present and say they were
# skipped, and why, when not. Without npm (or when its install fails) only the third-party part is
# skipped.
# Usage: scripts/mcp-env.sh   (HARDGEN_MCP_VENV overrides the venv's place: target/mcp-venv;
#                              HARDGEN_MCP_NODE overrides the npm prefix: target/mcp-node)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${HARDGEN_MCP_VENV:-$root/target/mcp-venv}"
node_prefix="${HARDGEN_MCP_NODE:-$root/target/mcp-node}"
py="$venv/bin/python"
mcp_pin="mcp==1.30.0"
memory_pin="@modelcontextprotocol/server-memory@2026.8.31"
memory_js="$node_prefix/node_modules/@modelcontextprotocol/server-memory/dist/index.js"
check='import mcp, mcp.server.fastmcp, mcp.client.stdio, mcp.client.streamable_http'
python_ready() { [ -x "$py" ] && "$py" -c "$check" 2>/dev/null; }
node_ready() { [ -f "$memory_js" ] && command -v node >/dev/null; }
if python_ready && node_ready; then
  echo "mcp tier: environment ready at $venv (third-party server at $memory_js)"
  exit 0
fi
skip() {
  echo "mcp tier: SKIPPED: $1"
  rm -rf "$venv"
  exit 0
}
skip_node() {
  echo "mcp tier: third-party server SKIPPED: $1"
  rm -rf "$node_prefix"
}
if ! python_ready; then
  command -v python3 >/dev/null || skip "python3 is not installed"
  rm -rf "$venv"
  python3 -m venv "$venv" 2>/dev/null || skip "python3 cannot make a virtual environment (python3-venv missing?)"
  "$py" -m pip install --quiet --disable-pip-version-check "$mcp_pin" \
    || skip "pip could not install $mcp_pin from PyPI"
  python_ready || skip "the mcp package does not import in $venv"
fi
if ! node_ready; then
  if ! command -v node >/dev/null; then
    skip_node "node is not installed"
  elif ! command -v npm >/dev/null; then
    skip_node "npm is not installed"
  elif ! npm install --prefix "$node_prefix" --no-audit --no-fund --save-exact --silent "$memory_pin" >/dev/null; then
    skip_node "npm could not install $memory_pin"
  elif [ ! -f "$memory_js" ]; then
    skip_node "$memory_js is missing after npm install"
  fi
fi
if node_ready; then
  echo "mcp tier: environment ready at $venv (third-party server at $memory_js)"
else
  echo "mcp tier: environment ready at $venv (without the third-party server)"
fi
