"""The report as a person sees it: opened in headless Chromium, offline.

Selenium drives Debian's ``chromium`` through its ``chromedriver`` (both given by path,
so Selenium Manager downloads nothing), with the network switched off. The page must
render without a console error, load every image at a non-zero size, show the summary
table and the claims, request nothing but itself and its ``data:`` images, and give a
screenshot that is not blank. Skipped, saying what is missing, only where Chromium or
selenium is not installed (``.ci/run`` installs Chromium; selenium is in the dev extra).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest
from PIL import Image

from dynalab.runfolder import REPORT_FILE, SUMMARY_FILE

INSTALL_HINT = "apt-get install chromium chromium-driver"


def browser_paths() -> tuple[str, str]:
    """The Chromium and chromedriver executables, or a skip saying what is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    missing = [
        name for name, path in (("chromium", chromium), ("chromedriver", driver)) if not path
    ]
    if missing:
        pytest.skip(f"no headless browser: {' and '.join(missing)} not found; `{INSTALL_HINT}`")
    return chromium, driver


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium with the network off, logging the console and every request."""
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed: pip install -e '.[dev]'"
    )
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,2400",
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        yield driver
    finally:
        driver.quit()


IMAGES = """
return Array.from(document.images).map(img => {
  const box = img.getBoundingClientRect();
  return {alt: img.alt, complete: img.complete, natural: img.naturalWidth,
          width: box.width, height: box.height};
});
"""


def requested_urls(driver) -> list[str]:
    """Every URL the page asked for, from the performance log."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_the_report_renders_offline_in_chromium(browser, fig82, tmp_path):
    _, out = fig82
    browser.get((out / REPORT_FILE).resolve().as_uri())

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    outside = [url for url in requested_urls(browser) if not url.startswith(("file:", "data:"))]
    assert outside == []

    images = browser.execute_script(IMAGES)
    assert len(images) == len(list(out.glob("*.png"))) >= 4
    for image in images:
        assert image["complete"] and image["natural"] > 0, image
        assert image["width"] > 0 and image["height"] > 0, image

    claims = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))["claims"]
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('ul.claims li'), li => li.innerText);"
    )
    assert [line.split("] ")[0] + "]" for line in shown] == [
        "[holds]" if claim["holds"] else "[fails]" for claim in claims
    ]
    cells = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.summary td'), td => td.innerText);"
    )
    assert len(cells) >= 3 * 8 and any(" [" in cell for cell in cells)

    screenshot = tmp_path / "report.png"
    assert browser.save_screenshot(str(screenshot))
    with Image.open(screenshot) as picture:
        assert picture.size[0] >= 1000
        colours = picture.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is None or len(colours) > 16
