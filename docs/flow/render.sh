#!/usr/bin/env bash
# Renders docs/flow/flow.dot into docs/flow.svg, the picture at the top of README.md (Graphviz: apt-get install graphviz).
set -euo pipefail
cd "$(dirname "$0")"
dot -Tsvg flow.dot -o ../flow.svg
