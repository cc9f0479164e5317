"""Tools for testing gradients: hypothesis strategies (``autograd.testing.strategies``) and a
pytest plugin (``autograd.testing.pytest_plugin``, loaded automatically once valuegraph is
installed). Importing this package imports neither pytest nor hypothesis."""
