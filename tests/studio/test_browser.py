"""The studio page in a real browser: Debian's headless Chromium driven by Selenium through Debian's chromedriver.

The page is opened on the sample clip; the tests see frames arrive in the preview, click gallery thumbnails and
check that the engine's output changes accordingly (the landmarks lens draws pure green dots, the sepia lens
tones the whole frame), that switching never gives a frozen or black frame, that another page (another origin)
cannot drive the engine, and they take the screenshot of docs/studio-screenshot.png
(``LENSENGINE_STUDIO_SCREENSHOT=docs/studio-screenshot.png`` writes it there).
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    pytest.skip(
        "browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver", reason="browser tests need selenium (pip install selenium)")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1440,1010",
    "--force-device-scale-factor=1",
    "--hide-scrollbars",
]

# The preview's pixels, read in the page: size, green-dot pixels (after JPEG), mean, and a coarse sample.
PREVIEW_PIXELS = """
const img = document.getElementById("preview");
if (!img.complete || !img.naturalWidth) return null;
const canvas = document.createElement("canvas");
canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
const ctx = canvas.getContext("2d");
ctx.drawImage(img, 0, 0);
const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
let green = 0, sum = 0;
const sample = [];
for (let i = 0; i < data.length; i += 4) {
  const r = data[i], g = data[i + 1], b = data[i + 2];
  sum += r + g + b;
  if (g > 150 && g > r + 70 && g > b + 70) green++;
  if (i % (4 * 1999) === 0) sample.push(r + g + b);
}
return {width: canvas.width, height: canvas.height, green: green, mean: sum / (data.length / 4 * 3), sample: sample};
"""


@pytest.fixture(scope="module")
def browser(studio, tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not try to download anything
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def page(browser, studio, wait_for_module):
    browser.get(studio.url)
    wait_for_module(lambda: browser.execute_script(PREVIEW_PIXELS), 20, what="the first preview frame")
    return browser


@pytest.fixture(scope="module")
def wait_for_module():
    def wait(condition, timeout: float, step: float = 0.1, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(step)
        raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")

    return wait


def click_lens(page, name: str) -> None:
    """Click a lens's card (the gallery redraws itself while thumbnails arrive: find it again if it went stale)."""
    for _ in range(5):
        try:
            page.find_element(By.CSS_SELECTOR, f'.lens-card[data-lens="{name}"]').click()
            return
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"could not click the card of {name}")


def switched(page, studio, name: str, wait) -> None:
    wait(lambda: studio.loop.lenses.name == name, 20, what=f"the engine to run {name}")
    wait(lambda: page.find_element(By.ID, "lens-name").text == name, 5, what=f"the page to show {name}")


def test_refused_without_token(browser, studio):
    browser.get(f"http://localhost:{studio.port}/")  # no token, and no cookie for this host
    assert "403" in browser.find_element(By.TAG_NAME, "body").text


def test_frames_arrive(page, wait_for_module):
    first = page.execute_script(PREVIEW_PIXELS)
    assert (first["width"], first["height"]) == (640, 480)
    assert first["mean"] > 20, "the preview is black"
    wait_for_module(
        lambda: page.execute_script(PREVIEW_PIXELS)["sample"] != first["sample"], 10, what="the preview to change"
    )
    wait_for_module(lambda: page.find_element(By.ID, "m-fps").text not in ("", "–", "0.0"), 10, what="fps shown")
    stages = page.execute_script("return [...document.querySelectorAll('.stage-row')].map(r => r.dataset.stage)")
    assert {"capture", "track", "lens", "output"} <= set(stages)


def test_gallery_lists_every_lens_with_thumbnails(page, studio, wait_for_module):
    names = {spec.name for spec in studio.loop.lenses.order}
    shown = "return [...document.querySelectorAll('.lens-card')].map(card => card.dataset.lens)"
    cards = wait_for_module(lambda: page.execute_script(shown), 10, what="the gallery")
    assert set(cards) == names
    wait_for_module(lambda: studio.gallery.done, 60, step=0.5, what="every thumbnail")
    failed = {e["name"]: e["error"] for e in studio.gallery.entries() if e["state"] != "ready"}
    assert not failed, f"thumbnails that failed: {failed}"
    loaded = """return [...document.querySelectorAll('.lens-card .pic img')]
                  .filter(img => img.complete && img.naturalWidth === 224).length"""
    wait_for_module(lambda: page.execute_script(loaded) == len(names), 10, what="thumbnails shown on the page")
    text = page.execute_script("return document.querySelector('.lens-card[data-lens=thug_glasses]').innerText")
    assert "onnxruntime" in text and "ms" in text  # backend and speed of a neural lens


def test_click_switches_to_landmarks(page, studio, wait_for_module):
    before_preview = page.execute_script(PREVIEW_PIXELS)["green"]
    clicked = time.monotonic()
    click_lens(page, "landmarks")
    switched(page, studio, "landmarks", wait_for_module)
    wait_for_module(
        lambda: sum(r.lens == "landmarks" for r in studio.recorder.since(clicked)) >= 8, 20, what="landmark frames"
    )
    records = studio.recorder.since(clicked - 30)
    before = [r.green for r in records if r.lens == "thug_glasses_classic" and r.at < clicked]
    after = [r.green for r in records if r.lens == "landmarks"]
    assert before and max(before) <= 5, f"landmark green before the switch: {before}"
    assert np.median(after) > 40, f"the landmarks lens's dots are missing from the output: {after}"
    greens = wait_for_module(
        lambda: (g := page.execute_script(PREVIEW_PIXELS)["green"]) > max(60, 3 * before_preview) and g,
        10,
        what="green landmark dots in the preview image",
    )
    assert greens > before_preview
    active = "return document.querySelector('.lens-card.active').dataset.lens"
    wait_for_module(lambda: page.execute_script(active) == "landmarks", 5, what="the landmarks card marked active")


def test_click_switches_to_a_frame_lens(page, studio, wait_for_module):
    clicked = time.monotonic()
    click_lens(page, "example_sepia")
    switched(page, studio, "example_sepia", wait_for_module)
    wait_for_module(
        lambda: sum(r.lens == "example_sepia" for r in studio.recorder.since(clicked)) >= 5, 20, what="sepia frames"
    )
    records = studio.recorder.since(clicked - 30)
    sepia = [r.sepia for r in records if r.lens == "example_sepia"]
    other = [r.sepia for r in records if r.lens == "landmarks"]
    assert min(sepia) > 0.97 and np.median(other) < 0.8


def test_toggle_turns_the_lens_off_and_on(page, studio, wait_for_module):
    page.find_element(By.CSS_SELECTOR, "label.switch").click()
    wait_for_module(lambda: not studio.loop.lenses.enabled, 5, what="the lens to be turned off")
    off_at = time.monotonic()
    wait_for_module(lambda: sum(r.lens == "off" for r in studio.recorder.since(off_at)) >= 3, 10, what="frames")
    assert np.median([r.sepia for r in studio.recorder.since(off_at) if r.lens == "off"]) < 0.8
    label = "return document.getElementById('lens-enabled-label').textContent"
    wait_for_module(lambda: page.execute_script(label) == "Lens off", 5, what="the page to show the lens off")
    page.find_element(By.CSS_SELECTOR, "label.switch").click()
    wait_for_module(lambda: studio.loop.lenses.enabled, 5, what="the lens to be turned on")


def test_switching_never_freezes_or_blacks_out(page, studio, wait_for_module):
    repeated = studio.loop.stats.repeated
    start = time.monotonic()
    for name in ("example_pixelate", "thug_glasses", "landmarks", "thug_glasses_classic"):
        click_lens(page, name)
        switched(page, studio, name, wait_for_module)
        time.sleep(0.5)
    records = studio.recorder.since(start)
    assert len(records) >= 10
    assert min(r.mean for r in records) > 20, "a black frame"
    changed = [not np.array_equal(a.signature, b.signature) for a, b in zip(records, records[1:])]
    assert sum(changed) >= 0.9 * len(changed), "frames stopped changing"
    longest = max(len(run) for run in "".join("x" if not c else " " for c in changed).split(" ") or [""])
    assert longest <= 2, "the same picture came out several times in a row"
    gaps = [b.at - a.at for a, b in zip(records, records[1:])]
    assert max(gaps) < 1.5, f"the output stalled for {max(gaps):.2f} s"
    # a stalled source makes the loop send the last picture again; on a loaded 2-core machine a new lens loading
    # beside the engine may starve the capture thread once or twice, never for long (the gaps above)
    assert studio.loop.stats.repeated - repeated <= 2


@pytest.fixture
def other_site():
    """Another web site on this machine (another port: another origin), serving one harmless page."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>another site</title><p>another site</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_another_page_cannot_drive_it(browser, page, studio, other_site, wait_for_module):
    lens = studio.loop.lenses.name
    refused = len(studio.guard.refused)
    browser.get(other_site)
    script = """
      const done = arguments[arguments.length - 1];
      fetch(arguments[0], {method: "POST", mode: "no-cors", body: '{"name": "landmarks"}'})
        .then(() => done("sent"), (e) => done("failed: " + e));
    """
    browser.execute_async_script(script, f"http://127.0.0.1:{studio.port}/api/lens?token={studio.token}")
    wait_for_module(lambda: len(studio.guard.refused) > refused, 5, what="the refusal")
    assert ("/api/lens", "origin not allowed") in list(studio.guard.refused)[refused:]
    time.sleep(0.5)
    assert studio.loop.lenses.name == lens


def test_screenshot(browser, studio, wait_for_module, tmp_path):
    browser.get(studio.url)
    wait_for_module(lambda: browser.execute_script(PREVIEW_PIXELS), 20, what="the preview")
    wait_for_module(lambda: studio.gallery.done, 60, step=0.5, what="every thumbnail")
    wait_for_module(lambda: studio.doctor.result is not None and not studio.doctor.running, 60, 0.5, what="doctor")
    wait_for_module(lambda: browser.find_elements(By.CSS_SELECTOR, ".finding"), 10, what="doctor's findings shown")
    wait_for_module(lambda: browser.find_elements(By.CSS_SELECTOR, ".lens-card.active"), 10, what="the active lens")
    chrome = browser.execute_script("return window.outerHeight - window.innerHeight")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1440, height + chrome)  # the whole page in one picture
    time.sleep(1.5)  # a few more preview frames and stats updates
    path = tmp_path / "studio.png"
    assert browser.save_screenshot(str(path))
    assert path.stat().st_size > 50_000
    target = os.environ.get("LENSENGINE_STUDIO_SCREENSHOT")
    if target:
        Path(target).write_bytes(path.read_bytes())
