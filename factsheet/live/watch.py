"""`make_pdf.py watch`: rebuild on save, in a process that stays warm.

The first build pays for the imports (WeasyPrint, citeproc, Babel); then this
process warms itself up, and every rebuild after runs in workers forked from
it, which start warm (build/pool.py), one task at a time, and builds only
what a save touched: the language whose file changed (checked against the
others all the same), the sheet whose sources or settings changed, or every
sheet when a style, template or catalog changed. A failed rebuild leaves the
last good PDF in place (Run.keep_last_good) and says why; the next good
one clears it. With --serve, preview.py shows the result in a browser.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TextIO

from factsheet.build.pool import warm_up
from factsheet.live.preview import start_preview
from factsheet.live.watcher import Watcher, touched
from factsheet.options import Options


def watch(options: Options, out: TextIO, serve: bool = False, port: int = 8000) -> int:
    """Build, then rebuild on every save until Ctrl-C; returns the exit code."""
    import watchfiles

    watcher = Watcher(options, out)
    folders = watcher.folders()  # says what is not a sheet
    if not folders:
        print("nothing to watch: name a sheet folder, or run where sheets/ is", file=out)
        return 1
    server = None
    if serve:
        try:
            server = start_preview(watcher, port)
        except OSError as exc:
            print(f"cannot serve the preview on 127.0.0.1:{port}: {exc.strerror}; "
                  "choose another port with --port N", file=out)  # fmt: skip
            return 1
        # One sheet: its page straight away; several: the list of them.
        page = f"sheet/{folders[0].resolve().name}" if len(folders) == 1 else ""
        print(f"preview at {server.address(page)} (Ctrl-C to stop)", file=out)
        out.flush()
    stop = threading.Event()
    # SIGTERM and SIGHUP end the watch as Ctrl-C does (between builds; a build
    # in progress stops on its own, keeping what it finished).
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    try:
        watcher.first_build(folders)
        # Each rebuild forks its workers from this process: warm, they start
        # where the first build's ended (done now, while the writer reads it).
        warm_up()
        paths = watcher.paths()
        ready = False
        # yield_on_timeout: the first (empty) batch comes once the watches are in
        # place; only then does "watching" tell the writer (and the tests) to save.
        for changes in watchfiles.watch(
            *paths, stop_event=stop, debounce=100, step=20, raise_interrupt=True,
            rust_timeout=200, yield_on_timeout=True,
        ):  # fmt: skip
            if not ready:
                print(f"watching {', '.join(str(p) for p in paths)}", file=out)
                out.flush()
                ready = True
            if not changes:
                continue
            changed = [Path(path) for _, path in changes]
            rebuilds = touched(changed, watcher.folders())
            for item in rebuilds:
                watcher.read_settings(item.folder)
            watcher.rebuild(rebuilds)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if server is not None:
            server.shutdown()
            server.server_close()
    print("stopped watching", file=out)
    return 0
