#!/bin/sh
# Debian libraries WeasyPrint needs (Pango for text layout, HarfBuzz subsetting
# for small embedded fonts), and for --print-shop's PDF/X Ghostscript (its CMYK
# SWOP output profile and sRGB profile; `gs` measures ink for the preflight; the
# FOGRA profiles are in profiles/). Installed when missing and we run as root;
# otherwise we say what to install and stop.
set -eu
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1"
packages="$packages ghostscript"
missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $package"
done
if [ -n "$missing" ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "factsheet needs these system packages:$missing (install them with your package manager)" >&2
        exit 1
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "factsheet needs:$missing — run: sudo apt-get install$missing" >&2
        exit 1
    fi
    echo "installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
