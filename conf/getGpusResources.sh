#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs of this node in the form Spark's resource scheduler
# reads, e.g. {"name": "gpu", "addresses": ["0", "1"]}.
set -euo pipefail
addresses=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed -e 's/^ *//' -e 's/.*/"&"/' | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
