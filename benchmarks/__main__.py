"""``python -m benchmarks [--quick]``. Every library runs on one thread: the variables are set
here, before NumPy (and its BLAS) is first imported, and ``run`` checks the pools with
threadpoolctl once PyTorch is in too."""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

from .run import main  # noqa: E402 - after the variables, on purpose

main()
