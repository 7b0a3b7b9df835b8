"""Vendor math.js, the expression parser of the book's answer boxes, into ``book/_static/``.

The answer boxes (``book/_static/answers.js``) read what a reader types with math.js. This
script takes its browser bundle from the npm registry at the version the build expects
(:data:`calcbook.answerbox.MATHJS`, whose file name carries the version, so that a browser may
cache it for good), drops the source-map comment (the map is not shipped) and copies the
licence and notice beside it. Run it again after changing the version there::

    .venv/bin/python scripts/vendor_mathjs.py
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from vendor_katex import npm_package

from calcbook.answerbox import MATHJS

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "book" / "_static" / MATHJS


def main() -> None:
    """Fetch math.js at the pinned version and write its bundle, licence and notice."""
    version = re.search(r"math-([\d.]+)\.min\.js$", MATHJS).group(1)
    with tempfile.TemporaryDirectory() as tmp:
        package = npm_package("mathjs", version, Path(tmp))
        bundle = (package / "lib/browser/math.js").read_text(encoding="utf-8")
        bundle = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", bundle)
        if "sourceMappingURL" in bundle:
            raise SystemExit("math.js still names a source map: update this script")
        shutil.rmtree(DEST.parent, ignore_errors=True)
        DEST.parent.mkdir(parents=True)
        DEST.write_text(bundle, encoding="utf-8")
        for name in ("LICENSE", "NOTICE"):
            shutil.copy(package / name, DEST.parent / name)
        shutil.copy(
            package / "lib/browser/math.js.LICENSE.txt", DEST.parent / "math.js.LICENSE.txt"
        )
    print(f"math.js {version}: {DEST.stat().st_size // 1024} KB in {DEST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
