#!/bin/sh
# Debian libraries WeasyPrint needs (Pango for text layout, HarfBuzz subsetting
# for small embedded fonts), and for --print-shop's PDF/X: Ghostscript (its CMYK
# SWOP output profile and sRGB profile; `gs` measures ink for the preflight) and
# the FOGRA39 (coated) and FOGRA29 (uncoated) profiles, which Argyll's colprof
# makes once from the characterisation data in icc-profiles-free (about a
# minute each; no free ICC file of them is packaged). Installed when missing and
# we run as root; otherwise we say what to install and stop.
set -eu
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1"
packages="$packages ghostscript icc-profiles-free argyll"
made=/usr/local/share/color/icc/factsheet
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
# The press profiles: total ink 300% (-l), black 95% at most (-L), black
# generation that keeps neutrals mostly on K (-kr).
for name in FOGRA39L FOGRA29L; do
    [ -s "$made/$name.icc" ] && continue
    if [ "$(id -u)" != 0 ]; then
        echo "factsheet's print profiles are missing: run 'sudo sh scripts/system-deps.sh'" >&2
        exit 1
    fi
    echo "making the $name print profile (Argyll colprof, about a minute)"
    mkdir -p "$made"
    work=$(mktemp -d)
    cp "/usr/share/color/icc/$name.ti3" "$work/"
    (cd "$work" && colprof -qm -kr -l300 -L95 -D"$name (ISO 12647-2:2004), made with Argyll" \
        -C"from icc-profiles-free's characterisation data" "$name" >/dev/null)
    mv "$work/$name.icc" "$made/$name.icc"
    rm -rf "$work"
done
