"""The warm build server (server.py): a make_pdf.py that finds it has the
command run there, with the same output, files, exit code and Ctrl-C as if it
had run it itself."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from factsheet.build.server import (
    allowed_environment,
    code_digest,
    frame_bytes,
    read_message,
    stop_servers,
)
from tests.conftest import DATA, ROOT, SAMPLE

MAKE_PDF = ROOT / "make_pdf.py"


@pytest.fixture
def served(tmp_path):
    """An environment whose make_pdf.py runs use a server of their own; the server
    is stopped after the test."""
    # A short folder of its own: a socket's path has at most 107 bytes, which a
    # tmp_path under pytest-xdist (…/popen-gw0/test_…/) can pass.
    runtime = Path(tempfile.mkdtemp(prefix="fs-run-"))
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    env.pop("FACTSHEET_SERVER")
    yield env
    stop_servers(runtime)
    shutil.rmtree(runtime, ignore_errors=True)


def make_pdf(env: dict, *args: object) -> subprocess.CompletedProcess:
    command = [sys.executable, str(MAKE_PDF), *map(str, args)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def server_log(env: dict) -> str:
    logs = list((ROOT / env["XDG_RUNTIME_DIR"] / "factsheet").glob("*.log"))
    return "".join(log.read_text() for log in logs)


def wait_for(env: dict, text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while text not in server_log(env):
        assert time.monotonic() < deadline, f"the server never said {text!r}: {server_log(env)}"
        time.sleep(0.1)


def test_a_second_run_is_served_with_the_same_result(served, tmp_path):
    first = make_pdf(served, SAMPLE, "--lang", "en", "--out", tmp_path / "one")
    assert first.returncode == 0, first.stderr
    wait_for(served, "serving on")  # the first run started it, for next time
    second = make_pdf(served, SAMPLE, "--lang", "en", "--out", tmp_path / "two")
    assert second.returncode == 0, second.stderr
    assert "--out" in server_log(served) and str(tmp_path / "two") in server_log(served)
    assert second.stderr.replace("two", "one") == first.stderr.replace("two", "one")
    pdf = "decriminalization.en.pdf"
    assert (tmp_path / "two" / pdf).read_bytes() == (tmp_path / "one" / pdf).read_bytes()


def test_a_served_failure_says_why_and_exits_1(served, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(ROOT / "tests" / "bad_inputs" / "unknown-key-in-sheet", bad)
    make_pdf(served, "--version")
    wait_for(served, "serving on")
    run = make_pdf(served, bad, "--out", tmp_path / "out")
    assert "unknown-key-in-sheet" not in server_log(served)  # its own copy, by path
    assert str(bad) in server_log(served)
    assert run.returncode == 1
    assert "unknown key 'pagez' in sheet.yaml" in run.stderr
    assert "Traceback" not in run.stderr


def test_ctrl_c_stops_a_served_build(served, tmp_path):
    sheets = []
    for number in range(6):
        sheets.append(tmp_path / "sheets" / f"s{number}")
        shutil.copytree(SAMPLE, sheets[-1])
    make_pdf(served, "--version")
    wait_for(served, "serving on")
    command = [sys.executable, str(MAKE_PDF), *map(str, sheets), "--out", str(tmp_path / "out"),
               "--jobs", "1"]  # fmt: skip
    client = subprocess.Popen(command, env=served, stderr=subprocess.PIPE, text=True)
    wait_for(served, str(sheets[0]))
    time.sleep(1.0)  # well into the build
    client.send_signal(signal.SIGINT)
    _, err = client.communicate(timeout=60)
    assert client.returncode == 128 + signal.SIGINT, err
    assert "stopped by Ctrl-C" in err
    written = list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else []
    assert not [p for p in written if p.name.endswith(".tmp")]
    assert len([p for p in written if p.suffix == ".pdf"]) < 12


def test_the_server_is_off_when_asked(tmp_path):
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "FACTSHEET_SERVER": "off"}
    assert make_pdf(env, "--version").returncode == 0
    assert not (runtime / "factsheet").exists() or not list((runtime / "factsheet").iterdir())


# Who the server talks to (SECURITY.md): folders of the user's alone, both ends
# checked, a bounded environment, no client able to stop or stall it, each
# command run once.


def socket_path(env: dict) -> Path:
    [path] = (Path(env["XDG_RUNTIME_DIR"]) / "factsheet").glob("*.sock")
    return path


def served_count(env: dict, argv: str) -> int:
    return len(re.findall(rf"^pid \d+: {re.escape(argv)}$", server_log(env), re.MULTILINE))


def server_pid(env: dict) -> int:
    return int(re.findall(r"serving on .*, pid (\d+)", server_log(env))[-1])


def connect(path: Path) -> socket.socket:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(str(path))
    return connection


def send_request(connection: socket.socket, argv: list[str], cwd: Path, out: Path) -> dict | None:
    """A request as make_pdf.py sends it (stdout and stderr to `out`): the answer."""
    request = {"argv": argv, "cwd": str(cwd), "env": {}, "umask": 0o022}
    with open(os.devnull, "rb") as stdin, open(out, "ab") as stdout:
        socket.send_fds(connection, [frame_bytes(request)], [stdin.fileno(), stdout.fileno(),
                                                              stdout.fileno()])  # fmt: skip
    connection.settimeout(30)
    return read_message(connection)


def test_a_runtime_folder_with_a_long_path_is_served(tmp_path):
    """Past 107 bytes a socket's path cannot be bound; the folder's descriptor can."""
    runtime = Path(tempfile.mkdtemp(prefix="fs-run-")) / ("long-" * 30)
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    env.pop("FACTSHEET_SERVER")
    try:
        assert len(str(runtime / "factsheet" / "build-0123456789abcdef.sock")) > 107
        assert make_pdf(env, "--version").returncode == 0
        wait_for(env, "serving on")
        run = make_pdf(env, "--version")
        assert run.returncode == 0, run.stderr
        assert served_count(env, "--version") == 1
    finally:
        stop_servers(runtime)
        shutil.rmtree(runtime.parent, ignore_errors=True)


BAD_MESSAGES = {
    "a huge length": b"\xff\xff\xff\xff",
    "not JSON": b"\x00\x00\x00\x09{not json",
    "a list": b"\x00\x00\x00\x05[1,2]",
    "argv a string": frame_bytes({"argv": "--version", "cwd": "/", "env": {}, "umask": 18}),
    "a request without descriptors": frame_bytes(
        {"argv": ["--version"], "cwd": "/", "env": {}, "umask": 18}
    ),
    "go first": frame_bytes({"go": True}),
}


def test_malformed_or_idle_connections_hold_no_command_up(served):
    make_pdf(served, "--version")
    wait_for(served, "serving on")
    path = socket_path(served)
    idle = connect(path)  # sends nothing at all
    half = connect(path)
    half.sendall(b"\x00\x00\x01")  # half of a length
    bad = []
    for message in BAD_MESSAGES.values():
        bad.append(connect(path))
        bad[-1].sendall(message)
        bad[-1].settimeout(10)
        assert bad[-1].recv(100) == b""  # dropped, nothing answered
    started = time.monotonic()
    run = make_pdf(served, "--version")
    assert run.returncode == 0, run.stderr
    assert served_count(served, "--version") == 1  # served, not built by itself
    assert time.monotonic() - started < 10
    os.kill(server_pid(served), 0)  # still there
    for connection in [idle, half, *bad]:
        connection.close()


def test_a_request_runs_only_after_go_and_then_once(served, tmp_path):
    make_pdf(served, "--version")
    wait_for(served, "serving on")
    withdrawn, taken = tmp_path / "withdrawn.txt", tmp_path / "taken.txt"
    with connect(socket_path(served)) as connection:
        assert send_request(connection, ["--version"], tmp_path, withdrawn) == {"accepted": True}
    # The client that withdrew (as one that heard no "accepted" in time does):
    # its command never runs, though a later one does.
    with connect(socket_path(served)) as connection:
        assert send_request(connection, ["--version"], tmp_path, taken) == {"accepted": True}
        connection.sendall(frame_bytes({"go": True}))
        assert "pid" in read_message(connection)
        assert read_message(connection) == {"exit": 0}
    assert served_count(served, "--version") == 1
    assert withdrawn.read_text() == ""
    assert "factsheet" in taken.read_text()


def test_the_server_gets_only_the_allowed_environment(served):
    served = {**served, "GITHUB_TOKEN": "secret-token-1", "FACTSHEET_MARK": "kept"}
    assert make_pdf(served, "--version").returncode == 0
    wait_for(served, "serving on")
    environment = Path(f"/proc/{server_pid(served)}/environ").read_bytes()
    assert b"secret-token-1" not in environment
    assert b"FACTSHEET_MARK=kept" in environment
    allowed = allowed_environment({"GITHUB_TOKEN": "x", "LANG": "es_ES.UTF-8", "LC_ALL": "C",
                                   "SOURCE_DATE_EPOCH": "1", "SSH_AUTH_SOCK": "/s"})  # fmt: skip
    assert allowed == {"LANG": "es_ES.UTF-8", "LC_ALL": "C", "SOURCE_DATE_EPOCH": "1"}


class FakeServer:
    """A listener where the build server's socket would be, with a pid file that
    names `pid`; what a client sends it is kept."""

    def __init__(self, folder: Path, pid: int) -> None:
        name = f"build-{code_digest()}"
        folder.mkdir(mode=0o700, exist_ok=True)
        (folder / f"{name}.pid").write_text(str(pid))
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(folder / f"{name}.sock"))
        self.listener.listen(4)
        self.received = b""
        self.thread = threading.Thread(target=self.take, daemon=True)
        self.thread.start()

    def take(self) -> None:
        self.listener.settimeout(60)
        with contextlib.suppress(OSError):
            connection, _ = self.listener.accept()
            with connection:
                connection.settimeout(10)
                self.received = connection.recv(1 << 16)  # then it closes: never "accepted"

    def close(self) -> None:
        self.listener.close()
        self.thread.join(5)


@pytest.mark.parametrize("own_pid", [True, False], ids=["its-pid", "another-pid"])
def test_the_client_sends_only_to_the_process_of_the_pid_file(served, own_pid):
    """The same user's listener with the server's pid file (the kernel's word for
    its pid) gets the request, with no secret in it; one whose pid is not the
    file's gets nothing. Either way the command runs, here."""
    fake = FakeServer(Path(served["XDG_RUNTIME_DIR"]) / "factsheet", os.getpid() if own_pid else 1)
    try:
        run = make_pdf({**served, "GITHUB_TOKEN": "secret-token-2"}, "--version")
        assert run.returncode == 0 and "factsheet" in run.stdout
    finally:
        fake.close()
    if own_pid:
        assert b'"argv": ["--version"]' in fake.received
        assert b"secret-token-2" not in fake.received
    else:
        assert fake.received == b""


@pytest.fixture
def unsafe_tmp(tmp_path):
    """An environment whose only runtime and cache folders are under a temporary
    folder of the test's own: no XDG_RUNTIME_DIR, no writable home."""
    temporary = tmp_path / "tmp"
    temporary.mkdir(mode=0o700)
    (tmp_path / "home").write_text("a file, not a folder")
    env = {**os.environ, "TMPDIR": str(temporary), "HOME": str(tmp_path / "home")}
    for name in ("XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "FACTSHEET_SERVER"):
        env.pop(name, None)
    return env, temporary / f"factsheet-{os.getuid()}"


def plant(folder: Path, kind: str, elsewhere: Path) -> None:
    """What another user leaves at /tmp/factsheet-<uid>."""
    if kind == "symlink":
        elsewhere.mkdir(mode=0o700)
        folder.symlink_to(elsewhere)
    else:
        folder.mkdir(mode=0o700)
        if kind == "open":
            folder.chmod(0o777)  # others could have written in it: not ours alone
    (folder / "run").mkdir(mode=0o700)
    if kind == "foreign":
        for planted in (folder, folder / "run"):
            os.chown(planted, 65534, 65534)


UNSAFE = [
    pytest.param("foreign", marks=pytest.mark.skipif(
        os.geteuid() != 0, reason="only root can give a folder to another user")),
    "symlink",
    "open",
]  # fmt: skip


@pytest.mark.parametrize("kind", UNSAFE)
def test_an_unsafe_tmp_folder_is_neither_bound_nor_connected(unsafe_tmp, tmp_path, kind):
    env, folder = unsafe_tmp
    plant(folder, kind, tmp_path / "elsewhere")
    # Her listener, where the socket would be: it must get no connection.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    run_folder = os.open(folder / "run", os.O_RDONLY | os.O_DIRECTORY)
    listener.bind(f"/proc/self/fd/{run_folder}/build-{code_digest()}.sock")  # a long path
    os.close(run_folder)
    listener.listen(4)
    listener.setblocking(False)
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    try:
        for _ in range(2):  # the second run would find a server the first one started
            run = make_pdf(env, DATA / "minimal", "--out", tmp_path / "out", "--force")
            assert run.returncode == 0, run.stderr
            assert "Traceback" not in run.stderr
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before
    assert (tmp_path / "out" / "minimal.en.pdf").is_file()
    assert "no cache folder that is this user's alone" in run.stderr
