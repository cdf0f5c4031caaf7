#!/usr/bin/env bash
# Rebuilds the demo model data-samples/models/k2-tool-demo from nothing: tokenizer, held-out eval set,
# the fixtures the Java tests check the training dialogues against, then the training run itself
# (23 minutes on one thread of a shared 2-core machine), the golden logits of the exported weights and the loss curve.
# Needs Debian's python3-torch and python3-numpy (python3-matplotlib for the PNG).
set -euo pipefail
cd "$(dirname "$0")/../.."
/usr/bin/python3 tools/train-demo/train.py data --seed 10
nice -n 10 /usr/bin/python3 tools/train-demo/train.py train --seed 10
ls -la data-samples/models/k2-tool-demo
