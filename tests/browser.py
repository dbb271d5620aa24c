"""Headless Chromium checks of a built book (Debian's chromium, driven by Playwright).

Chromium is started with --headless --no-sandbox --disable-gpu and with its
background networking switched off: the pages are served from 127.0.0.1 and no
request leaves the machine.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def serve(folder: Path):
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A browser that closes a connection early (BrokenPipe) is not an error here."""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output readable
        pass


@contextmanager
def browser():
    """A Playwright browser on Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chrome = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                            headless=True)
        try:
            yield chrome
        finally:
            chrome.close()


PAGE_FACTS = """() => ({
  images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, width: i.naturalWidth,
                                                   complete: i.complete, alt: i.alt})),
  mathjax: document.querySelectorAll('mjx-container').length,
  rawMath: document.querySelectorAll('.math').length,
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
  resources: Array.from(document.querySelectorAll('link[href], script[src]'))
                  .map(e => e.getAttribute('href') || e.getAttribute('src')),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
})"""


def page_facts(page, url: str) -> dict:
    """Load ``url``, wait for MathJax, and return images, math, links and ids.

    Timeouts are generous (60 s) because CI machines may be busy.
    """
    page.set_default_timeout(60000)
    page.goto(url, wait_until="load")
    # index.html redirects with <meta http-equiv="refresh">: wait until the target page has loaded.
    page.wait_for_function(
        "() => document.readyState === 'complete' && !document.querySelector('meta[http-equiv=\"refresh\"]')"
    )
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
    page.wait_for_function(
        "() => !document.querySelector('.math') || document.querySelector('mjx-container')"
    )
    facts = page.evaluate(PAGE_FACTS)
    facts["url"] = page.url
    return facts


def missing_local_targets(html_root: Path, page_url: str, base_url: str, hrefs: list[str]) -> list[str]:
    """Links of a page that point at a local file that does not exist."""
    missing = []
    for href in hrefs:
        if not href or href.startswith(("mailto:", "javascript:", "data:")):
            continue
        absolute = urljoin(page_url, href)
        if not absolute.startswith(base_url):
            continue  # external link: not checked offline
        path = unquote(urlparse(absolute).path).lstrip("/")
        target = html_root / path
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            missing.append(href)
    return missing
