"""The preview answers only its own name, and only a browser that opened the
address it printed: a web page elsewhere (DNS rebinding, a cross-origin fetch)
reads nothing. Raw http.client requests, so the Host header is sent as written."""

from __future__ import annotations

import http.client
import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from factsheet.live.preview import start_preview
from factsheet.live.watcher import SheetView, Watcher
from factsheet.options import Options

PATHS = ["/", "/sheet/s", "/events", "/files/s.en.pdf", "/assets/preview.css"]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    names: list[str]  # every header name, as sent


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    """One server for the module: no test changes it (each stop waits out a poll)."""
    tmp_path = tmp_path_factory.mktemp("preview")
    out = tmp_path / "out"
    out.mkdir()
    (out / "s.en.pdf").write_bytes(b"%PDF-1.7 a draft not yet published")
    watcher = Watcher(Options(out=out), io.StringIO())
    watcher.views["s"] = SheetView("s", tmp_path / "s", langs=["en"], budget=2)
    server = start_preview(watcher, 0)
    yield server
    server.shutdown()
    server.server_close()


def ask(server, path: str, host: str | None = None, cookie: str | None = None,
        method: str = "GET", headers: dict[str, str] | None = None) -> Answer:  # fmt: skip
    """One request; `host` None names the server as a browser would, `cookie` None
    carries the token the printed address gave."""
    port = server.server_address[1]
    token = re.search(r"token=([^&]+)", server.address())[1]
    sent = {"Host": f"127.0.0.1:{port}" if host is None else host,
            "Cookie": f"factsheet-preview-{port}={token}" if cookie is None else cookie,
            **(headers or {})}  # fmt: skip
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, headers={k: v for k, v in sent.items() if v})
    response = connection.getresponse()
    if response.getheader("Content-Type") != "text/event-stream":
        response.read()  # an event stream never ends: its headers are the answer
    connection.close()
    names = [name for name, _ in response.getheaders()]
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, names)


def test_the_printed_address_carries_a_token_that_becomes_a_cookie(preview):
    address = urlsplit(preview.address("sheet/s"))
    assert address.hostname == "127.0.0.1"
    assert re.fullmatch(r"token=[A-Za-z0-9_-]{40,}", address.query)
    answer = ask(preview, f"{address.path}?{address.query}", cookie="")
    assert answer.status == 303
    assert answer.headers["location"] == "/sheet/s"  # the token leaves the address bar
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"factsheet-preview-{address.port}={address.query[6:]};")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ask(preview, "/sheet/s", cookie=cookie.split(";")[0]).status == 200


@pytest.mark.parametrize("path", PATHS)
def test_its_own_name_with_the_token_is_answered(preview, path):
    port = preview.server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert ask(preview, path, host=host).status == 200, host


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1",  # the port is part of the name
        "127.0.0.1:{other}",
        "localhost.evil.example:{port}",
        "127.0.0.1.evil.example:{port}",
        "[::1]:{port}",  # it does not listen there
        "0.0.0.0:{port}",
    ],
)
@pytest.mark.parametrize("path", PATHS)
def test_another_name_is_refused_even_with_the_token(preview, host, path):
    """DNS rebinding: the attacker's page sends its own name, and the cookie of
    127.0.0.1 is not its to send; refused even if it had it."""
    port = preview.server_address[1]
    host = host.format(port=port, other=port + 1)
    assert ask(preview, path, host=host).status == 421


def test_two_host_headers_are_refused(preview):
    port = preview.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", "/", skip_host=True)
    connection.putheader("Host", f"127.0.0.1:{port}")
    connection.putheader("Host", "evil.example")
    connection.endheaders()
    assert connection.getresponse().status == 421
    connection.close()


@pytest.mark.parametrize("path", [*PATHS, "/pages/s.en-1.png", "/nope"])
@pytest.mark.parametrize(
    "cookie",
    ["", "factsheet-preview-{port}=guessed", "factsheet-preview-1={token}", "garbage;;=\x7f"],
)
def test_without_the_token_nothing_is_answered(preview, path, cookie):
    port = preview.server_address[1]
    token = re.search(r"token=([^&]+)", preview.address())[1]
    cookie = cookie.format(port=port, token=token)
    assert ask(preview, path, cookie=cookie or "").status == 403
    assert ask(preview, f"{path}?token=guessed", cookie=cookie or "").status == 403


def test_no_answer_lets_another_origin_read_it(preview):
    """No CORS header at all: not on pages, files, the event stream, refusals, or a
    preflight."""
    origin = {"Origin": "http://evil.example"}
    answers = [ask(preview, path, headers=origin) for path in [*PATHS, "/nope"]]
    answers += [ask(preview, "/", host="evil.example", headers=origin),
                ask(preview, "/", cookie="", headers=origin),
                ask(preview, "/files/s.en.pdf", method="OPTIONS",
                    headers={**origin, "Access-Control-Request-Method": "GET"})]  # fmt: skip
    assert [a.status for a in answers] == [200] * len(PATHS) + [404, 421, 403, 501]
    sent = [name for answer in answers for name in answer.names]
    assert not [name for name in sent if name.lower().startswith("access-control-")]
