"""A warm build server, so that the whole command takes well under a second.

Before a build does any work, Python spends about 0.6 s importing WeasyPrint,
Jinja, Babel and citeproc, and WeasyPrint's first layout loads the fonts and
its own style sheets. A server process does all that once: it imports the
pipeline, lays out one small page, and waits on a Unix socket in the user's
runtime folder. Each `make_pdf.py` that finds it sends its arguments, working
folder and the part of its environment a build reads, and hands over its own
stdin, stdout and stderr; the server forks a child that runs the command
exactly as the process itself would have (the output goes straight to the
terminal, progress bar and all), and the child's exit code comes back. Ctrl-C
or a TERM to `make_pdf.py` is passed on to the child, which stops as a build
always does.

The first run starts the server in the background and builds by itself; the
server ends after IDLE_SECONDS without a request. Its socket's name carries a
digest of the code it imported and of the installed packages, so an edit or an
upgrade starts a fresh one. FACTSHEET_SERVER=off turns it off (the tests and
`make` do). Only the standard library is imported on the client's side.

Who talks to whom (SECURITY.md):
- The runtime folder is the user's alone (private.py), or there is no server.
  The socket is bound and connected through the folder's open descriptor
  (/proc/self/fd/<n>/<name>: no symlink swapped in between, and no limit of
  107 bytes on the folder's path).
- Each end asks the kernel who the other is (SO_PEERCRED): the same user, and
  for the client the very process that wrote the server's pid file.
- Only ALLOWED_ENVIRONMENT goes to the server, never tokens and the like.
- The server reads every connection without blocking, with a deadline, and
  drops one that sends anything malformed; no client can stop it or stall the
  others.
- A command runs once: the server answers a request with "accepted", and
  forks only when the client then says "go". A client that hears no
  "accepted" in time withdraws (it never says "go") and builds itself; once it
  has said "go" it never builds itself.
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
import struct
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from factsheet.paths import PACKAGE_DIR, PROJECT_DIR
from factsheet.private import runtime_folder

IDLE_SECONDS = 900
SWITCH = "FACTSHEET_SERVER"  # "off": every command runs in its own process
NOT_SERVED = {"watch"}  # long-running: it keeps its own warm process
CONNECT_SECONDS = 1.0
ANSWER_SECONDS = 10.0  # no "accepted" by then: withdraw and build here
REQUEST_SECONDS = 10.0  # a connection that has not sent its request (or "go") by then is dropped
START_SECONDS = 60  # a server this young may still be warming up
MESSAGE_BYTES = 1 << 20  # a request larger than this is malformed
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM)

# What a build reads from its environment (grep os.environ): the locale, the
# cache's place, the tool's own switches, a reproducible date, git's PATH and
# HOME (review.py asks git for the reviewer's name). Nothing else reaches the
# server: not the tokens a shell may hold.
ALLOWED_ENVIRONMENT = {"LANG", "LANGUAGE", "TZ", "SOURCE_DATE_EPOCH", "HOME", "PATH",
                       "TMPDIR", "XDG_CACHE_HOME"}  # fmt: skip
ALLOWED_PREFIXES = ("LC_", "FACTSHEET_")


def allowed_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """The variables of `environment` a build may read; the rest stays behind."""
    return {
        name: value
        for name, value in environment.items()
        if name in ALLOWED_ENVIRONMENT or name.startswith(ALLOWED_PREFIXES)
    }


def code_digest() -> str:
    """The package's files and the installed packages, by content: each installed
    distribution's RECORD lists its files' digests."""
    digest = hashlib.sha256(sys.executable.encode())
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for folder in sorted({Path(p) for p in sys.path if p.endswith("site-packages")}):
        for record in sorted([*folder.glob("*.dist-info/RECORD"), *folder.glob("*.pth")]):
            digest.update(record.relative_to(folder).as_posix().encode())
            digest.update(hashlib.sha256(record.read_bytes()).digest())
    return digest.hexdigest()[:16]


def in_folder(folder: int, name: str) -> str:
    """A path to `name` in the open folder, whatever the folder's path (Linux)."""
    return f"/proc/self/fd/{folder}/{name}"


def peer_credentials(connection: socket.socket) -> tuple[int, int]:
    """The pid and uid of the process at the other end, as the kernel says."""
    size = struct.calcsize("3i")
    pid, uid, _ = struct.unpack(
        "3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, size)
    )
    return pid, uid


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
    found = runtime_folder()
    if found is None:
        return None  # no folder that is ours alone: no server
    folder, _ = found
    try:
        return hand_over(folder, f"build-{code_digest()}", argv)
    finally:
        os.close(folder)


def hand_over(folder: int, name: str, argv: list[str]) -> int | None:
    """Run the command through the server named `name` in `folder`: its exit code,
    or None when the server did not take it (then it has not run)."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(CONNECT_SECONDS)
    try:
        connection.connect(in_folder(folder, f"{name}.sock"))
    except OSError:  # none yet, or one that died: start one for next time
        connection.close()
        start_server(folder, name)
        return None
    try:
        if not is_our_server(connection, folder, name):
            connection.close()
            return None
        umask = os.umask(0)
        os.umask(umask)
        request = {"argv": argv, "cwd": os.getcwd(), "env": allowed_environment(os.environ),
                   "umask": umask}  # fmt: skip
        socket.send_fds(connection, [frame_bytes(request)], [0, 1, 2])
        connection.settimeout(ANSWER_SECONDS)
        answer = read_message(connection)
    except (OSError, ValueError):  # a closed stdin, a server gone or slow: run it here
        connection.close()
        return None
    if answer != {"accepted": True}:
        connection.close()
        return None
    # From here on the command is the server's: this process never runs it too.
    connection.settimeout(None)
    with contextlib.suppress(OSError):  # the read below says the server is gone
        connection.sendall(frame_bytes({"go": True}))
    return wait_for_exit(connection)


def is_our_server(connection: socket.socket, folder: int, name: str) -> bool:
    """The other end is this user's, and the process that wrote the pid file."""
    pid, uid = peer_credentials(connection)
    if uid != os.getuid():
        return False
    try:
        handle = os.open(f"{name}.pid", os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
        with os.fdopen(handle, "rb") as stream:
            return int(stream.read(32)) == pid
    except (OSError, ValueError):
        return False  # not written yet (it is starting), or not one of ours


def wait_for_exit(connection: socket.socket) -> int:
    """Pass Ctrl-C and TERM on to the child until it says how it ended."""

    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(OSError):  # the server gone: the read below says so
            connection.sendall(frame_bytes({"signal": signum}))

    previous = {s: signal.signal(s, forward) for s in FORWARDED_SIGNALS}
    try:
        while True:
            try:
                message = read_message(connection)
            except InterruptedError:
                continue
            except (OSError, ValueError):
                message = None
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


def start_server(folder: int, name: str) -> None:
    """A server for next time, in the background, unless one is starting (it takes
    a few seconds to warm up); a leftover socket of one that died goes first."""
    starting = f"{name}.starting"
    with contextlib.suppress(OSError):
        if (
            time.time() - os.stat(starting, dir_fd=folder, follow_symlinks=False).st_mtime
            < START_SECONDS
        ):
            return
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        os.close(os.open(starting, flags, 0o600, dir_fd=folder))
        os.utime(starting, dir_fd=folder, follow_symlinks=False)
        for leftover in (f"{name}.sock", f"{name}.pid"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover, dir_fd=folder)
        log = os.open(f"{name}.log", flags | os.O_APPEND, 0o600, dir_fd=folder)
    except OSError:
        return
    try:
        # The folder goes as a descriptor, not a path to look up again; the
        # project's folder first on sys.path, so that this code is what runs.
        subprocess.Popen(
            [sys.executable, "-m", "factsheet.build.server", str(folder), name],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, pass_fds=[folder],
            start_new_session=True, cwd=PROJECT_DIR, env=allowed_environment(os.environ),
        )  # fmt: skip
    finally:
        os.close(log)


def frame_bytes(message: dict) -> bytes:
    data = json.dumps(message).encode()
    return len(data).to_bytes(4, "big") + data


def read_message(connection: socket.socket) -> dict | None:
    """One length-prefixed JSON message, or None when the other side is gone; a
    malformed one raises ValueError."""
    head = read_exactly(connection, 4)
    if head is None:
        return None
    size = int.from_bytes(head, "big")
    if size > MESSAGE_BYTES:
        raise ValueError("message too large")
    body = read_exactly(connection, size)
    if body is None:
        return None
    message = json.loads(body)
    if not isinstance(message, dict):
        raise ValueError("not a message")
    return message


def read_exactly(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


# The server.


@dataclass
class Client:
    """One connection, read without blocking: its request (with the sender's
    stdin, stdout and stderr), then "go", then signals for its child."""

    connection: socket.socket
    deadline: float | None  # dropped if it has not got further by then
    received: bytearray = field(default_factory=bytearray)
    fds: list[int] = field(default_factory=list)
    request: dict | None = None
    pid: int | None = None  # its child's, once forked


@dataclass
class Server:
    folder: int  # the runtime folder, open
    name: str  # build-<digest>: .sock, .pid, .log
    listener: socket.socket
    selector: selectors.BaseSelector
    clients: dict[socket.socket, Client] = field(default_factory=dict)


def serve(folder: int, name: str) -> None:
    """Accept requests until idle; each runs in a child forked from this warm process."""
    # Not for the client side, which must start fast: the command line and every
    # stage a build runs, loaded once for all the children.
    import factsheet.cli  # noqa: F401
    from factsheet.build.pool import warm_up

    warm_up()
    gc.freeze()  # what is warm stays out of the children's collections: fewer pages copied
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(in_folder(folder, f"{name}.sock"))
    except OSError:
        return  # another server for this code got there first
    listener.listen(16)
    listener.setblocking(False)
    bound = os.stat(f"{name}.sock", dir_fd=folder, follow_symlinks=False).st_ino
    write_pid_file(folder, name)
    with contextlib.suppress(OSError):
        os.unlink(f"{name}.starting", dir_fd=folder)
    where = "?"
    with contextlib.suppress(OSError):
        where = os.readlink(f"/proc/self/fd/{folder}")
    print(f"serving on {where}/{name}.sock, pid {os.getpid()}", flush=True)
    server = Server(folder, name, listener, selectors.DefaultSelector())
    server.selector.register(listener, selectors.EVENT_READ)
    last = time.monotonic()
    while running_children(server) or time.monotonic() - last < IDLE_SECONDS:
        if not still_bound(server, bound):
            break  # removed or replaced: leave it to whoever did
        for key, _ in server.selector.select(timeout=1.0):
            if key.fileobj is listener:
                accept(server)
                last = time.monotonic()
            elif key.fileobj in server.clients:
                serve_client(server, server.clients[key.fileobj])  # type: ignore[index]
        now = time.monotonic()
        for client in list(server.clients.values()):
            if client.deadline is not None and now > client.deadline:
                drop(server, client)  # idle: it holds no one else up
        reap(server)
    listener.close()
    if still_bound(server, bound):
        for leftover in (f"{name}.sock", f"{name}.pid"):
            with contextlib.suppress(OSError):
                os.unlink(leftover, dir_fd=folder)


def write_pid_file(folder: int, name: str) -> None:
    """<name>.pid, whole or not at all: clients check the socket's peer against it."""
    temp = f".{name}.pid.{os.getpid()}"
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600,
                     dir_fd=folder)  # fmt: skip
    with os.fdopen(handle, "w") as stream:
        stream.write(str(os.getpid()))
    os.replace(temp, f"{name}.pid", src_dir_fd=folder, dst_dir_fd=folder)


def still_bound(server: Server, bound: int) -> bool:
    try:
        return (
            os.stat(f"{server.name}.sock", dir_fd=server.folder, follow_symlinks=False).st_ino
            == bound
        )
    except OSError:
        return False


def running_children(server: Server) -> bool:
    return any(client.pid for client in server.clients.values())


def accept(server: Server) -> None:
    """A new connection, from this user only; read later, as it sends."""
    try:
        connection, _ = server.listener.accept()
    except OSError:
        return
    try:
        _, uid = peer_credentials(connection)
    except OSError:
        uid = -1
    if uid != os.getuid():
        connection.close()
        return
    connection.setblocking(False)
    server.clients[connection] = Client(connection, time.monotonic() + REQUEST_SECONDS)
    server.selector.register(connection, selectors.EVENT_READ)


def serve_client(server: Server, client: Client) -> None:
    """What a connection sent: taken as far as it goes; anything malformed drops it."""
    try:
        data, fds, _, _ = socket.recv_fds(client.connection, 1 << 16, 3)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        data, fds = b"", []
    client.fds += fds
    if not data or len(client.received) + len(data) > MESSAGE_BYTES + 4:
        drop(server, client)  # gone (its child goes with it), or too much
        return
    client.received += data
    try:
        if fds and (client.request is not None or len(client.fds) > 3):
            raise ValueError("descriptors after the request")
        while (message := take_message(client.received)) is not None:
            answer(server, client, message)
    except (ValueError, TypeError, KeyError, OSError) as failure:
        print(f"dropped a connection: {failure}", flush=True)
        drop(server, client)


def take_message(received: bytearray) -> dict | None:
    """The first whole message in `received`, taken out of it; None for a part."""
    if len(received) < 4:
        return None
    size = int.from_bytes(received[:4], "big")
    if size > MESSAGE_BYTES:
        raise ValueError("message too large")
    if len(received) < 4 + size:
        return None
    body = bytes(received[4 : 4 + size])
    del received[: 4 + size]
    message = json.loads(body)
    if not isinstance(message, dict):
        raise ValueError("not a message")
    return message


def answer(server: Server, client: Client, message: dict) -> None:
    """The next step of one connection: request, then go, then signals."""
    if client.request is None:
        client.request = checked_request(message)
        if len(client.fds) != 3:
            raise ValueError("a request needs stdin, stdout and stderr")
        client.deadline = time.monotonic() + REQUEST_SECONDS
        client.connection.sendall(frame_bytes({"accepted": True}))
    elif client.pid is None:
        if message != {"go": True}:
            raise ValueError("expected go")
        client.pid = fork_child(server, client)
        client.deadline = None
        client.connection.sendall(frame_bytes({"pid": client.pid}))
    elif set(message) == {"signal"} and message["signal"] in FORWARDED_SIGNALS:
        with contextlib.suppress(OSError):
            os.kill(client.pid, message["signal"])
    else:
        raise ValueError("expected a signal")


def checked_request(message: dict) -> dict:
    """A request as the client sends it, or ValueError: nothing else is run."""
    if set(message) != {"argv", "cwd", "env", "umask"}:
        raise ValueError("not a request")
    argv, cwd, env, umask = message["argv"], message["cwd"], message["env"], message["umask"]
    if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)):
        raise ValueError("argv is not a list of strings")
    if not (isinstance(cwd, str) and cwd.startswith("/")):
        raise ValueError("cwd is not a path")
    if not (isinstance(env, dict) and all(isinstance(v, str) for v in env.values())):
        raise ValueError("env is not a mapping of strings")
    if not (isinstance(umask, int) and 0 <= umask <= 0o777):
        raise ValueError("umask out of range")
    return {**message, "env": allowed_environment(env)}


def fork_child(server: Server, client: Client) -> int:
    """Fork the child that runs the request as its sender would have: its pid."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            server.selector.close()
            server.listener.close()
            for other in server.clients.values():  # other senders' connections
                if other is not client:
                    other.connection.close()
                    for fd in other.fds:
                        os.close(fd)
            os.close(server.folder)
            client.connection.setblocking(True)
            code = run_child(client.connection, client.request or {}, client.fds)
        finally:
            os._exit(code)
    for fd in client.fds:
        os.close(fd)
    client.fds = []
    print(f"pid {pid}: {' '.join(client.request['argv'] if client.request else [])}", flush=True)
    return pid


def drop(server: Server, client: Client) -> None:
    """Close a connection; a sender gone takes its child with it."""
    if client.pid:
        with contextlib.suppress(OSError):
            os.kill(client.pid, signal.SIGTERM)
    for fd in client.fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(KeyError, ValueError):
        server.selector.unregister(client.connection)
    client.connection.close()
    server.clients.pop(client.connection, None)


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
        os.environ.update(allowed_environment(request["env"]))
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


def reap(server: Server) -> None:
    """Children that ended: their connections close (after their exit message)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        for client in list(server.clients.values()):
            if client.pid == pid:
                client.pid = None  # ended: nothing to stop when it closes
                drop(server, client)


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2])
