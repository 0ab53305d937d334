"""Headless Chromium checks of an HTML report (through Playwright, with the system's Chromium).

:func:`check_page` opens a file at one viewport width and returns what a reader would meet:
console errors, images that did not decode, elements that stick out of the viewport, and where
the Summary heading sits.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str | None:
    """The system's Chromium (``DECIDE_CHROMIUM`` overrides), or None."""
    given = os.environ.get("DECIDE_CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


# Elements whose right edge passes the viewport, unless an ancestor that scrolls or clips
# (a wide table's own box) keeps them inside; and the page itself must not scroll sideways.
_OVERFLOW_JS = """
() => {
  const vw = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible') {
        const r = p.getBoundingClientRect();
        return r.left >= -0.5 && r.right <= vw + 0.5;
      }
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if ((r.right > vw + 0.5 || r.left < -0.5) && !clipped(el)) {
      out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' ' +
               Math.round(r.left) + '..' + Math.round(r.right) + ': ' + (el.textContent || '').trim().slice(0, 60));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, viewport: vw, overflowing: out};
}
"""

_IMAGES_JS = """
() => Array.from(document.images).map(img => ({
  alt: img.alt, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,
  src: img.getAttribute('src').slice(0, 30)}))
"""

_SUMMARY_JS = """
() => {
  const h = Array.from(document.querySelectorAll('h2')).find(e => e.textContent.trim().startsWith('Summary'));
  if (!h) return null;
  const r = h.getBoundingClientRect();
  const next = h.nextElementSibling ? h.nextElementSibling.getBoundingClientRect() : r;
  return {top: r.top, bottom: r.bottom, next_top: next.top, viewport_height: window.innerHeight};
}
"""


@dataclass
class PageCheck:
    width: int
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    overflow: dict = field(default_factory=dict)
    summary: dict | None = None


def check_page(path: Path, width: int, height: int = 800, screenshot: Path | None = None,
               pdf: Path | None = None) -> PageCheck:
    """Open ``path`` in headless Chromium at ``width`` x ``height`` CSS pixels and check it."""
    from playwright.sync_api import sync_playwright

    result = PageCheck(width)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: result.console_errors.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: result.page_errors.append(str(e)))
            page.on("request", lambda r: result.requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
            page.goto(Path(path).resolve().as_uri(), wait_until="load")
            page.wait_for_function("Array.from(document.images).every(i => i.complete)")
            result.images = page.evaluate(_IMAGES_JS)
            result.overflow = page.evaluate(_OVERFLOW_JS)
            result.summary = page.evaluate(_SUMMARY_JS)
            if screenshot is not None:
                page.screenshot(path=str(screenshot))
            if pdf is not None:
                page.emulate_media(media="print")
                page.pdf(path=str(pdf), format="A4")
        finally:
            browser.close()
    return result
