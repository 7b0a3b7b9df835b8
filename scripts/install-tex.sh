#!/usr/bin/env bash
# Install the Debian TeX that `make pdf` needs, if it is not there yet (as .ci/run installs
# Chromium): XeLaTeX, latexmk, the LaTeX packages Sphinx's LaTeX writer uses, the FreeFont
# OpenType fonts it sets the text in (Unicode: −, ≈, Greek, arrows), and poppler-utils, whose
# pdftotext and pdfimages tests/test_pdf.py reads the PDF with. apt-get runs as root, or
# through sudo where it is not root. Without recommended packages: about 0.5 GB, not 2 GB.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
    texlive-xetex               # xelatex and fontspec
    latexmk                     # runs xelatex until the cross-references settle
    texlive-latex-recommended   # fancyvrb, upquote, geometry, hyperref, ...
    texlive-latex-extra         # fncychap, titlesec, tabulary, framed, wrapfig, needspace, ...
    texlive-fonts-recommended   # the math fonts amsmath needs
    fonts-freefont-otf          # FreeSerif, the text (Sphinx's default for XeLaTeX)
    fonts-dejavu-core           # DejaVu Sans and Sans Mono: headings and code (ᵀ, ₖ)
    poppler-utils               # pdftotext, pdfimages, pdfinfo: the PDF's checks
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "TeX already installed"
    exit 0
fi

apt_get() {
    if [ "$(id -u)" -eq 0 ]; then apt-get "$@"; else sudo apt-get "$@"; fi
}
start=$SECONDS
echo "Installing ${missing[*]} with apt-get"
apt_get update -q
apt_get install -y -q --no-install-recommends "${missing[@]}"
echo "TeX installed in $((SECONDS - start)) s"
