"""Test setup: hypothesis profiles and pytest's ``pytester`` (for the plugin's tests).

The ``ci`` profile, loaded unless ``HYPOTHESIS_PROFILE`` names another, is derandomized: every run
draws the same examples, so a red CI run is reproducible. ``thorough`` draws fresh random examples,
many more of them, for hunting bugs locally: ``HYPOTHESIS_PROFILE=thorough make test``.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from autograd import OPS
from tests.helpers.browser import start_browser

pytest_plugins = ["pytester"]

settings.register_profile(
    "ci",
    max_examples=1000,
    derandomize=True,
    database=None,
    deadline=None,  # timing depends on the machine; a reproducible run cannot
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("thorough", max_examples=5000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def op_table():
    """The op table for a test to change (inject a wrong rule, register an op); restored after."""
    saved = dict(OPS)
    yield OPS
    OPS.clear()
    OPS.update(saved)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless Chrome or Chromium (``tests/helpers/browser.py``); skipped, with what to install,
    where there is none, unless ``VALUEGRAPH_REQUIRE_BROWSER=1``."""
    yield from start_browser(tmp_path_factory.mktemp("chromium-profile"))
