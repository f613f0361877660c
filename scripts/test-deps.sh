#!/bin/sh
# What the tests need beyond `make`: Debian's Chromium (the HTML page is
# checked in a real browser) and poppler-utils (pdftoppm, to look at pages).
# Installed when missing and we run as root; otherwise we say what to install.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "the tests need:$missing — run: sudo apt-get install$missing" >&2
    exit 1
fi
echo "installing test tools:$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
