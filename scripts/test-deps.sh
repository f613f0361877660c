#!/bin/sh
# What the tests need beyond `make`: Debian's Chromium (the HTML page is
# checked in a real browser), poppler-utils (pdftoppm, to look at pages),
# gettext (msgfmt checks the PO exports) and php-symfony-translation (the only
# Debian package with the OASIS XLIFF 1.2 schema; no PHP is installed with it).
# Installed when missing and we run as root; otherwise we say what to install.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v msgfmt >/dev/null 2>&1 || missing="$missing gettext"
[ -f /usr/share/php/Symfony/Component/Translation/Resources/schemas/xliff-core-1.2-strict.xsd ] \
    || missing="$missing php-symfony-translation"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "the tests need:$missing — run: sudo apt-get install$missing" >&2
    exit 1
fi
echo "installing test tools:$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
