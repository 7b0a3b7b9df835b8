"""Screenshot built pages in headless Chromium, in light and dark mode, to look at them.

Usage: ``python scripts/screenshots.py [PAGE ...] [--out DIR] [--width PX]``, where PAGE is a
path under ``_build/html`` (default: every page in ``_toc.yml``). Writes
``DIR/<page>-<mode>.png`` (default DIR ``_build/screenshots``). ``make screenshots`` runs it.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    SITE,
    _QuietHandler,
    set_scheme,
    settle,
    toc_files,
)


def main() -> None:
    """Serve the built site on localhost and save full-page screenshots of the chosen pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages under _build/html, e.g. book/intro.html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "screenshots")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    pages = args.pages or [f"{f}.html" for f in toc_files()]
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for mode in ("light", "dark"):
            ctx = browser.new_context(
                viewport={"width": args.width, "height": 900}, color_scheme=mode
            )
            for path in pages:
                page = ctx.new_page()
                page.goto(f"{base}/{path}", wait_until="load")
                settle(page)  # typeset, fonts loaded, every figure drawn
                set_scheme(page, mode)
                name = path.removesuffix(".html").replace("/", "_")
                target = args.out / f"{name}-{mode}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
                page.close()
            ctx.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
