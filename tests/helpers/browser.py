"""A headless Chrome or Chromium for the tests that look at pages, found the usual ways.

The browser is looked for under its common names on ``PATH`` (``chromium``, ``chromium-browser``,
``google-chrome``, ``google-chrome-stable``, ``chrome``) and at the usual macOS places; the driver
as ``chromedriver`` on ``PATH``, else Selenium's own discovery (Selenium Manager). With neither,
the tests that need one are skipped with a line that says what to install, unless
``VALUEGRAPH_REQUIRE_BROWSER=1`` is set (``.ci/run`` sets it): then a missing browser fails them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
MAC_BROWSERS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
REQUIRE = "VALUEGRAPH_REQUIRE_BROWSER"
INSTALL = (
    "no Chrome or Chromium with a chromedriver was found: install them (Debian: `apt install "
    "chromium chromium-driver`; macOS: `brew install --cask google-chrome chromedriver`) to run "
    "the browser tests"
)
FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",  # this machine's network is closed: no calls home
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


def find_browser() -> str | None:
    """The path of a Chrome or Chromium, or None."""
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in MAC_BROWSERS if Path(p).exists()), None)


def missing(reason: str) -> None:
    """Skip the test, or fail it where a browser is required."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def start_browser(profile: Path, env: dict[str, str] | None = None) -> Iterator[object]:
    """A headless Chrome session (a Selenium WebDriver), closed when the generator is; ``env``
    replaces the environment the driver and the browser run in."""
    webdriver = pytest.importorskip("selenium.webdriver")
    binary = find_browser()
    if binary is None:
        missing(INSTALL)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = shutil.which("chromedriver")
    service = webdriver.ChromeService(executable_path=driver, env=env)
    try:
        session = webdriver.Chrome(options=options, service=service or webdriver.ChromeService())
    except Exception as error:  # no driver that Selenium could find or start
        missing(f"{INSTALL} ({type(error).__name__}: {str(error).splitlines()[0]})")
    with session:
        yield session
