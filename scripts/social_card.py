"""Draw the book's social card, ``book/_static/social-card.png`` (1200 × 630 px).

Link previews (Open Graph's ``og:image``, set by ``ogp_image`` in ``_config.yml``) show this one
image for every page of the book. It is drawn once, in headless Chromium with the system's fonts,
and committed; run ``.venv/bin/python scripts/social_card.py`` again after changing the title or
the mark (the favicon's ∂ on the book's blue).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

OUT = ROOT / "book" / "_static" / "social-card.png"

CARD = """<!doctype html>
<html><head><meta charset="utf-8"><style>
  html, body {{ margin: 0; width: 1200px; height: 630px; }}
  body {{ display: flex; align-items: center; gap: 64px; padding: 0 88px; box-sizing: border-box;
         background: #0072B2; color: #fff; font-family: "DejaVu Sans", sans-serif; }}
  .mark {{ flex: none; width: 260px; height: 260px; border-radius: 48px; background: #fff;
          color: #0072B2; display: flex; align-items: center; justify-content: center;
          font: italic 220px/1 "FreeSerif", Georgia, serif; padding-bottom: 24px;
          box-sizing: border-box; }}
  h1 {{ font-size: 64px; line-height: 1.12; margin: 0 0 28px; font-weight: 700; }}
  p {{ font-size: 32px; line-height: 1.35; margin: 0; opacity: 0.92; }}
</style></head><body>
  <div class="mark">∂</div>
  <div><h1>{title}</h1><p>An open, interactive textbook: every figure and number computed by
  the tested <b>calcbook</b> package.</p></div>
</body></html>"""


def main() -> None:
    """Render the card with the title from ``_config.yml`` and write it to :data:`OUT`."""
    from playwright.sync_api import sync_playwright

    title = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 630})
        page.set_content(CARD.format(title=title))
        page.evaluate("() => document.fonts.ready")
        page.screenshot(path=str(OUT))
        browser.close()
    print(OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
