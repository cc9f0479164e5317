"""valuegraph's benchmarks (``make bench``): the eager engine and the tape against micrograd,
PyTorch and hand-written NumPy. Not part of ``make test``: speed is measured here, not in tests."""
