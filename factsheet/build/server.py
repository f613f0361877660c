"""A warm build server, so that the whole command takes well under a second.

Before a build does any work, Python spends about 0.6 s importing WeasyPrint,
Jinja, Babel and citeproc, and WeasyPrint's first layout loads the fonts and
its own style sheets. A server process does all that once: it imports the
pipeline, lays out one small page, and waits on a Unix socket in the user's
runtime folder. Each `make_pdf.py` that finds it sends its arguments, working
folder and environment, and hands over its own stdin, stdout and stderr; the
server forks a child that runs the command exactly as the process itself would
have (the output goes straight to the terminal, progress bar and all), and the
child's exit code comes back. Ctrl-C or a TERM to `make_pdf.py` is passed on to
the child, which stops as a build always does.

The first run starts the server in the background and builds by itself; the
server ends after IDLE_SECONDS without a request. Its socket's name carries a
digest of the code it imported and of the installed packages, so an edit or an
upgrade starts a fresh one. FACTSHEET_SERVER=off turns it off (the tests and
`make` do). Only the standard library is imported on the client's side.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from factsheet.paths import PACKAGE_DIR

IDLE_SECONDS = 900
SWITCH = "FACTSHEET_SERVER"  # "off": every command runs in its own process
NOT_SERVED = {"watch"}  # long-running: it keeps its own warm process
CONNECT_SECONDS = 1.0
ANSWER_SECONDS = 30.0  # a server that has not forked by then is stuck: build here
START_SECONDS = 60  # a server this young may still be warming up


def server_socket() -> Path | None:
    """Where the server for this code listens: a folder only this user can enter."""
    base = os.environ.get("XDG_RUNTIME_DIR") or f"/tmp/factsheet-{os.getuid()}"
    folder = Path(base) / "factsheet"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None  # someone else's or open to others: never trust it
    return folder / f"build-{code_digest()}.sock"


def code_digest() -> str:
    """The package's files and the installed packages, as they are now."""
    digest = hashlib.sha256(sys.executable.encode())
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for folder in sorted({Path(p) for p in sys.path if p.endswith("site-packages")}):
        if folder.is_dir():
            digest.update(f"{folder} {folder.stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def stop_servers(runtime: Path) -> None:
    """Stop every server that ever served from `runtime` (an XDG_RUNTIME_DIR of
    one's own: the tests and the bench), by the pid each wrote to its log."""
    for log in runtime.glob("factsheet/*.log"):
        for pid in re.findall(r"serving on .*, pid (\d+)", log.read_text()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGTERM)


# The client: make_pdf.py, before it imports anything else.


def run_through_server(argv: list[str]) -> int | None:
    """The command's exit code, run by the server; None when there is no server to
    run it (then this process runs it, and starts one for next time)."""
    if os.environ.get(SWITCH) == "off" or (argv and argv[0] in NOT_SERVED):
        return None
    path = server_socket()
    if path is None:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(CONNECT_SECONDS)
    try:
        connection.connect(str(path))
    except OSError:  # none yet, or one that died: start one for next time
        connection.close()
        start_server(path)
        return None
    try:
        umask = os.umask(0)
        os.umask(umask)
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask}
        socket.send_fds(connection, [frame_bytes(request)], [0, 1, 2])
        connection.settimeout(ANSWER_SECONDS)
        started = read_message(connection)
    except OSError:  # a closed stdin or stdout, a busy server: run it here
        connection.close()
        return None
    if started is None or "pid" not in started:
        connection.close()
        return None
    connection.settimeout(None)
    return wait_for_exit(connection)


def wait_for_exit(connection: socket.socket) -> int:
    """Pass Ctrl-C and TERM on to the child until it says how it ended."""

    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(OSError):  # the server gone: the read below says so
            connection.sendall(frame_bytes({"signal": signum}))

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                message = read_message(connection)
            except InterruptedError:
                continue
            if message is None:
                print("make_pdf.py: the build server stopped; run the command again",
                      file=sys.stderr)  # fmt: skip
                return 1
            if "exit" in message:
                return int(message["exit"])
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        connection.close()


def start_server(path: Path) -> None:
    """A server for next time, in the background, unless one is starting (it takes
    a few seconds to warm up); a leftover socket of one that died goes first."""
    starting = path.with_suffix(".starting")
    with contextlib.suppress(OSError):
        if time.time() - starting.stat().st_mtime < START_SECONDS:
            return
    starting.touch()
    with contextlib.suppress(OSError):
        path.unlink()
    with open(path.with_suffix(".log"), "ab") as log:
        subprocess.Popen(
            [sys.executable, "-m", "factsheet.build.server", str(path)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True, close_fds=True, cwd="/",
        )  # fmt: skip


def frame_bytes(message: dict) -> bytes:
    data = json.dumps(message).encode()
    return len(data).to_bytes(4, "big") + data


def read_message(connection: socket.socket) -> dict | None:
    """One length-prefixed JSON message, or None when the other side is gone."""
    head = read_exactly(connection, 4)
    if head is None:
        return None
    body = read_exactly(connection, int.from_bytes(head, "big"))
    return None if body is None else json.loads(body)


def read_exactly(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


# The server.


def warm_up() -> None:
    """Import the pipeline and make one PDF of the new-sheet example, so that each
    child starts where a process that has built before would be: fonts loaded,
    styles parsed, cffi's types and citeproc's style read. Its chart is left out:
    a process that has drawn one must not fork (charts.py, build/pool.py)."""
    import factsheet.build.run  # noqa: F401 - the modules a build uses, for the children
    from factsheet.errors import Pos
    from factsheet.layout.pdf import lay_out, write_layout
    from factsheet.pipeline import sheet_html
    from factsheet.scaffold import EXAMPLE_DIR

    for lang in ("en", "es"):
        sheet, html = sheet_html(EXAMPLE_DIR, lang, charts=False)
        write_layout(lay_out(html, sheet.root, Pos("warm-up")), sheet.config.updated)


def serve(path: Path) -> None:
    """Accept requests until idle; each runs in a child forked from this warm process."""
    warm_up()
    gc.freeze()  # what is warm stays out of the children's collections: fewer pages copied
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
    except OSError:
        return  # another server for this code got there first
    listener.listen(16)
    os.chmod(path, 0o600)
    with contextlib.suppress(OSError):
        path.with_suffix(".starting").unlink()
    print(f"serving on {path}, pid {os.getpid()}", flush=True)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    children: dict[socket.socket, int] = {}
    last = time.monotonic()
    while children or time.monotonic() - last < IDLE_SECONDS:
        if not path.exists():
            break  # removed or replaced: leave it to whoever did
        for key, _ in selector.select(timeout=1.0):
            if key.fileobj is listener:
                accepted, _ = listener.accept()
                pid = fork_child(accepted, [listener, *children])
                if pid:
                    children[accepted] = pid
                    selector.register(accepted, selectors.EVENT_READ)
                last = time.monotonic()
            else:
                relay_signal(key.fileobj, children, selector)  # type: ignore[arg-type]
        reap(children, selector)
    listener.close()
    with contextlib.suppress(OSError):
        path.unlink()


def fork_child(connection: socket.socket, others: list[socket.socket]) -> int:
    """Fork a child that runs the request as its sender would have; the child's pid
    (0 when the request could not be read)."""
    try:
        data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
        size = int.from_bytes(data[:4], "big") if len(data) >= 4 else 0
        rest = read_exactly(connection, 4 + size - len(data)) if len(data) < 4 + size else b""
        request = json.loads(data[4:] + rest) if size and rest is not None else None
    except (OSError, ValueError):
        request, fds = None, []
    if request is None or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        connection.close()
        return 0
    pid = os.fork()
    if pid == 0:
        for other in others:  # the listener, and other senders' connections
            other.close()
        os._exit(run_child(connection, request, fds))
    for fd in fds:
        os.close(fd)
    print(f"pid {pid}: {' '.join(request['argv'])}", flush=True)
    connection.sendall(frame_bytes({"pid": pid}))
    return pid


def run_child(connection: socket.socket, request: dict, fds: list[int]) -> int:
    """In the child: become the sender's process, run its command, say how it ended."""
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        os.environ.clear()
        os.environ.update(request["env"])
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from factsheet.cli import main

        sys.argv = ["make_pdf.py", *request["argv"]]
        code = main(request["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # said, and the exit code says it too
        print(f"make_pdf.py: the build server failed: {exc!r}", file=sys.stderr)
    finally:
        with contextlib.suppress(OSError):
            sys.stdout.flush()
            sys.stderr.flush()
            connection.sendall(frame_bytes({"exit": code}))
    return code


def relay_signal(
    connection: socket.socket, children: dict[socket.socket, int], selector: selectors.BaseSelector
) -> None:
    """A signal the sender got, for its child; a sender gone takes its child with it."""
    pid = children.get(connection)
    try:
        message = read_message(connection)
    except OSError:
        message = None
    if pid is None:
        return
    if message is None:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        selector.unregister(connection)
        connection.close()
        del children[connection]
    elif "signal" in message:
        with contextlib.suppress(OSError):
            os.kill(pid, int(message["signal"]))


def reap(children: dict[socket.socket, int], selector: selectors.BaseSelector) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        for connection, child in list(children.items()):
            if child == pid:
                selector.unregister(connection)
                connection.close()
                del children[connection]


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
