#!/bin/bash
# One-time set-up of the PyTorch/gensim reference baselines (run as root on Debian). Not part of the
# build or CI: bench classes (io.seqspark.jobs.bench.*) call Debian's /usr/bin/python3 with these.
# Idempotent: does nothing when torch and gensim already import and OpenMP OpenBLAS is present.
set -euo pipefail
PY=/usr/bin/python3
if "$PY" -c 'import torch, gensim' 2>/dev/null \
   && [ -d /usr/lib/x86_64-linux-gnu/openblas-openmp ]; then
    echo "bench/setup.sh: torch, gensim and openblas-openmp already present; nothing to do"
    exit 0
fi
apt-get update
# libopenblas0-openmp: the OpenMP build of OpenBLAS; torch_env.sh points LD_LIBRARY_PATH at it so
# OpenBLAS does not fight torch's OpenMP thread pool.
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    python3-torch libopenblas0-openmp python3-gensim
"$PY" -c 'import torch, gensim; print("bench/setup.sh: torch", torch.__version__, "gensim", gensim.__version__)'
