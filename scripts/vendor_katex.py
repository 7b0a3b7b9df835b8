"""Vendor KaTeX's stylesheet and fonts into ``book/_static/katex/``.

The book's formulas are typeset at build time by sphinxcontrib-katex, which ships KaTeX's
JavaScript (run by Node.js during the build) but not the stylesheet and fonts that a reader's
browser needs to show the result. This script takes them from the npm registry's ``katex``
package, at exactly the version that the installed sphinxcontrib-katex bundles (and checks that
its JavaScript is that version's), keeps the WOFF2 fonts only (every browser the book supports
reads them; the stylesheet's WOFF and TrueType fallbacks would be dead links) and copies the
licence. Run it again after upgrading sphinxcontrib-katex::

    .venv/bin/python scripts/vendor_katex.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import sphinxcontrib.katex as sphinx_katex

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "book" / "_static" / "katex"
#: One @font-face source list of KaTeX's stylesheet: WOFF2, then WOFF and TrueType fallbacks.
FONT_SOURCES = re.compile(
    r'src:url\((fonts/[^)]+\.woff2)\) format\("woff2"\),'
    r'url\([^)]+\.woff\) format\("woff"\),url\([^)]+\.ttf\) format\("truetype"\)'
)


def npm_package(name: str, version: str, tmp: Path) -> Path:
    """Fetch `name` at `version` from the npm registry into `tmp`; return its unpacked folder."""
    subprocess.run(
        ["npm", "pack", "--silent", f"{name}@{version}"],
        cwd=tmp,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with tarfile.open(tmp / f"{name}-{version}.tgz") as tar:
        tar.extractall(tmp, filter="data")
    return tmp / "package"


def main() -> None:
    """Fetch KaTeX at the bundled version and write its stylesheet, fonts and licence."""
    version = sphinx_katex.katex_version
    with tempfile.TemporaryDirectory() as tmp:
        package = npm_package("katex", version, Path(tmp))
        bundled = Path(sphinx_katex.__file__).with_name("katex.min.js").read_bytes()
        if (package / "dist/katex.min.js").read_bytes() != bundled:
            raise SystemExit(f"sphinxcontrib-katex's katex.min.js is not KaTeX {version}'s")
        css = (package / "dist/katex.min.css").read_text(encoding="utf-8")
        css, faces = FONT_SOURCES.subn(r'src:url(\1) format("woff2")', css)
        if faces != css.count("@font-face") or ".ttf" in css:
            raise SystemExit("KaTeX's @font-face rules changed: update FONT_SOURCES")
        shutil.rmtree(DEST, ignore_errors=True)
        (DEST / "fonts").mkdir(parents=True)
        (DEST / "katex.min.css").write_text(css, encoding="utf-8")
        for font in sorted((package / "dist/fonts").glob("*.woff2")):
            shutil.copy(font, DEST / "fonts" / font.name)
        shutil.copy(package / "LICENSE", DEST / "LICENSE")
    print(f"KaTeX {version}: stylesheet and {faces} WOFF2 fonts in {DEST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
