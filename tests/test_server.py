"""The warm build server (server.py): a make_pdf.py that finds it has the
command run there, with the same output, files, exit code and Ctrl-C as if it
had run it itself."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from factsheet.build.server import stop_servers
from tests.conftest import ROOT, SAMPLE

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
