#!/bin/sh
# Make profiles/FOGRA39L.icc and FOGRA29L.icc again from icc-profiles-free's
# characterisation data with Argyll (see profiles/README.md). Needs root for apt.
set -eu
cd "$(dirname "$0")/.."
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends icc-profiles-free argyll >/dev/null
for name in FOGRA39L FOGRA29L; do
    work=$(mktemp -d)
    cp "/usr/share/color/icc/$name.ti3" "$work/"
    # Total ink 300% (-l), black 95% at most (-L), black generation that keeps
    # neutrals mostly on K (-kr).
    (cd "$work" && colprof -qm -kr -l300 -L95 -D"$name (ISO 12647-2:2004), made with Argyll" \
        -C"from icc-profiles-free's characterisation data" "$name" >/dev/null)
    mv "$work/$name.icc" "profiles/$name.icc"
    rm -rf "$work"
    echo "made profiles/$name.icc"
done
