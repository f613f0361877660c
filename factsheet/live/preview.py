"""The preview server of `make_pdf.py watch --serve`: a page per sheet with its
languages side by side as page images, the page budget each uses, and the
problems of the last build; it reloads itself when a rebuild is done
(server-sent events: the page never polls).

It listens on 127.0.0.1 only, and answers only for its own pages and assets,
the built files in the output folder (by their exact names) and the page
images it renders. Nothing else, and never a path outside: there is no file
system behind a URL here, only names checked against patterns.

Listening on 127.0.0.1 does not keep other web pages out: a page from anywhere
can point its own name at 127.0.0.1 (DNS rebinding) and read what answers. So
the preview answers only requests that name it (Host `127.0.0.1:<port>` or
`localhost:<port>`; anything else gets 421), and only those that carry the
token it made when it started: the address it prints has `?token=…`, which
becomes a cookie for this port (then the address is shown without it). A
request without the token gets 403. It sends no CORS headers, so no other
origin may read an answer.
"""

from __future__ import annotations

import hmac
import io
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from factsheet.build.run import write_atomically
from factsheet.live.watcher import SheetView, Watcher
from factsheet.model import Edition
from factsheet.outputs import office_pdf
from factsheet.paths import TEMPLATES_DIR
from factsheet.sources.load import SLUG as SHEET_SLUG

ASSETS_DIR = TEMPLATES_DIR / "preview"
ASSETS = {"preview.css": "text/css; charset=utf-8", "preview.js": "text/javascript; charset=utf-8"}
IMAGES = ".preview"  # the page images, in the output folder
IMAGE_WIDTH = 800  # px: two languages side by side on a laptop screen
SLUG = SHEET_SLUG.pattern  # a slug may have dots: the rest of a name is fixed
BUILT_FILE = re.compile(rf"{SLUG}\.[a-z]{{2,3}}(?:-[a-z]{{2,3}})*(?:\.print)?\.(?:pdf|png|html)")
PAGE_IMAGE = re.compile(rf"{SLUG}\.[a-z]{{2,3}}-\d+\.png")
KEEPALIVE = 15.0  # seconds between comments on an idle event stream
TOKEN_PARAMETER = "token"


@dataclass
class Pages:
    """One language's page images, as last rendered."""

    images: list[str] = field(default_factory=list)  # file names in .preview/
    texts: list[str] = field(default_factory=list)  # each page's text, for the page and tests
    pdf_mtime: float = 0.0


class Preview:
    """What the server shows: the watcher's sheets, and their page images."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.out = watcher.options.out
        self.pages: dict[tuple[str, str], Pages] = {}
        # Made anew at each start: a page left open from an earlier preview, or
        # any page that never saw the printed address, is refused.
        self.token = secrets.token_urlsafe(32)
        self.changed = threading.Condition()
        self.generation = 0
        self.templates = Environment(
            loader=FileSystemLoader(ASSETS_DIR), autoescape=True, undefined=StrictUndefined
        )
        watcher.listeners.append(self.rebuilt)

    def rebuilt(self, slugs: list[str]) -> None:
        """After a rebuild: new page images for each PDF that changed, then tell the pages."""
        for slug in slugs:
            view = self.watcher.views.get(slug)
            for lang in view.langs if view else []:
                self.render_pages(slug, lang)
        with self.changed:
            self.generation += 1
            self.changed.notify_all()

    def render_pages(self, slug: str, lang: str) -> None:
        import pypdfium2

        pdf = self.out / office_pdf.KIND.filename(Edition(slug, (lang,)))
        if not pdf.is_file():
            self.pages.pop((slug, lang), None)
            return
        mtime = pdf.stat().st_mtime
        if (slug, lang) in self.pages and self.pages[(slug, lang)].pdf_mtime == mtime:
            return
        pages = Pages(pdf_mtime=mtime)
        document = pypdfium2.PdfDocument(pdf.read_bytes())
        try:
            for number, page in enumerate(document, start=1):
                image = page.render(scale=IMAGE_WIDTH / page.get_width()).to_pil()
                stream = io.BytesIO()
                image.save(stream, format="PNG")
                name = f"{slug}.{lang}-{number}.png"
                write_atomically(self.out / IMAGES / name, stream.getvalue())
                pages.images.append(name)
                text = page.get_textpage()
                pages.texts.append(" ".join(text.get_text_range().split()))
                text.close()
                page.close()
        finally:
            document.close()
        self.pages[(slug, lang)] = pages
        # A sheet that got shorter leaves no image of a page it no longer has.
        for old in (self.out / IMAGES).glob(f"{slug}.{lang}-*.png"):
            if old.name not in pages.images:
                old.unlink(missing_ok=True)

    def index_page(self) -> str:
        with self.watcher.lock:
            sheets = [self.summary(view) for view in sorted(self.watcher.views.values(),
                                                            key=lambda v: v.slug)]  # fmt: skip
        return self.templates.get_template("index.html").render(sheets=sheets)

    def sheet_page(self, slug: str) -> str | None:
        with self.watcher.lock:
            view = self.watcher.views.get(slug)
            if view is None:
                return None
            sheet = self.summary(view)
        languages = []
        for lang in sheet["langs"]:
            pages = self.pages.get((slug, lang["code"]), Pages())
            lang["pages"] = [
                {"image": image, "text": text, "number": number}
                for number, (image, text) in enumerate(
                    zip(pages.images, pages.texts, strict=True), 1
                )
            ]
            lang["version"] = int(pages.pdf_mtime)
            languages.append(lang)
        return self.templates.get_template("sheet.html").render(sheet=sheet, languages=languages)

    def summary(self, view: SheetView) -> dict:
        """A sheet's state as the templates show it (call with the watcher's lock)."""
        langs = [
            {
                "code": lang,
                "used": f"{view.pages_used[lang]:.2f}" if lang in view.pages_used else "–",
                "over": view.pages_used.get(lang, 0) > view.budget > 0,
                "failed": lang in view.failed and lang not in view.drafts,
                "draft": lang in view.drafts,
                "pdf": office_pdf.KIND.filename(Edition(view.slug, (lang,))),
            }
            for lang in view.langs
        ]
        built = time.strftime("%H:%M:%S", time.localtime(view.built_at)) if view.built_at else ""
        # Errors first: they are what stops a language.
        problems = sorted(
            ({"text": text, "warning": ": warning: " in text} for text in view.problems),
            key=lambda problem: problem["warning"],
        )
        warnings = sum(problem["warning"] for problem in problems)
        return {"slug": view.slug, "budget": view.budget, "langs": langs,
                "problems": problems, "built": built, "errors": len(problems) - warnings,
                "warnings": warnings, "ok": not view.failed}  # fmt: skip


class Handler(BaseHTTPRequestHandler):
    preview: Preview  # set on the subclass start_preview makes
    server_version = "factsheet-preview"

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for the writer's problems, not for requests

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self.names_this_server():
            return self.refuse(HTTPStatus.MISDIRECTED_REQUEST, "this server is not that host")
        url = urlsplit(self.path)
        given = parse_qs(url.query).get(TOKEN_PARAMETER, [])
        if given:
            if not self.is_token(given[0]):
                return self.refuse(HTTPStatus.FORBIDDEN, "wrong token")
            return self.keep_token(url.path)
        if not self.is_token(self.cookie_token()):
            return self.refuse(
                HTTPStatus.FORBIDDEN, "open the address the preview printed (with ?token=)"
            )
        self.serve(unquote(url.path))

    def names_this_server(self) -> bool:
        """Whether the request's Host is this server's own name and port: a page
        that rebinds its own name to 127.0.0.1 still sends its own name."""
        port = self.server.server_address[1]
        names = {f"127.0.0.1:{port}", f"localhost:{port}"}
        if port == 80:  # a browser leaves out the default port
            names |= {"127.0.0.1", "localhost"}
        hosts = self.headers.get_all("Host") or []
        return len(hosts) == 1 and hosts[0].strip().lower().rstrip(".") in names

    def cookie_name(self) -> str:
        # Cookies ignore ports: one name per port keeps two previews apart.
        return f"factsheet-preview-{self.server.server_address[1]}"

    def cookie_token(self) -> str:
        cookies = SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie", ""))
        except CookieError:
            return ""
        morsel = cookies.get(self.cookie_name())
        return morsel.value if morsel else ""

    def is_token(self, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.preview.token.encode())

    def keep_token(self, path: str) -> None:
        """The printed address: its token becomes a cookie, and the browser goes on
        to the same page without it (out of the address bar and the history)."""
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", path if path.startswith("/") else "/")
        self.send_header(
            "Set-Cookie",
            f"{self.cookie_name()}={self.preview.token}; Path=/; HttpOnly; SameSite=Lax",
        )
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def refuse(self, status: HTTPStatus, reason: str) -> None:
        body = f"{status.value} {status.phrase}: {reason}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def serve(self, path: str) -> None:
        if path == "/":
            return self.send(self.preview.index_page().encode(), "text/html; charset=utf-8")
        if path == "/events":
            return self.events()
        if match := re.fullmatch(rf"/sheet/({SLUG})", path):
            page = self.preview.sheet_page(match[1])
            if page is not None:
                return self.send(page.encode(), "text/html; charset=utf-8")
        elif match := re.fullmatch(r"/assets/([a-z]+\.(?:css|js))", path):
            if match[1] in ASSETS:
                return self.send((ASSETS_DIR / match[1]).read_bytes(), ASSETS[match[1]])
        elif match := re.fullmatch(r"/files/([^/]+)", path):
            if BUILT_FILE.fullmatch(match[1]):
                return self.send_file(self.preview.out / match[1])
        elif (match := re.fullmatch(r"/pages/([^/]+)", path)) and PAGE_IMAGE.fullmatch(match[1]):
            return self.send_file(self.preview.out / IMAGES / match[1])
        self.send_error(HTTPStatus.NOT_FOUND, "not found")

    def send_file(self, path: Path) -> None:
        if not path.is_file():
            return self.send_error(HTTPStatus.NOT_FOUND, "not found")
        types = {".pdf": "application/pdf", ".png": "image/png",
                 ".html": "text/html; charset=utf-8"}  # fmt: skip
        self.send(path.read_bytes(), types[path.suffix])

    def send(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def events(self) -> None:
        """One `rebuilt` event after each rebuild, until the page goes away."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        changed = self.preview.changed
        with changed:
            seen = self.preview.generation
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while not getattr(self.server, "stopping", False):
                with changed:
                    if self.preview.generation == seen:
                        changed.wait(KEEPALIVE)
                    now = self.preview.generation
                if now != seen:
                    seen = now
                    self.wfile.write(f"event: rebuilt\ndata: {now}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed or reloaded


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep Ctrl-C waiting
    stopping = False

    def address(self, page: str = "") -> str:
        """The address to open: `page` (a path without its leading slash), with the
        token that lets a browser in."""
        host, port = self.server_address[:2]
        preview: Preview = self.RequestHandlerClass.preview  # type: ignore[attr-defined]
        return f"http://{host}:{port}/{page}?{TOKEN_PARAMETER}={preview.token}"

    def shutdown(self) -> None:
        self.stopping = True
        preview: Preview = self.RequestHandlerClass.preview  # type: ignore[attr-defined]
        with preview.changed:
            preview.changed.notify_all()
        super().shutdown()


def start_preview(watcher: Watcher, port: int) -> PreviewServer:
    """Serve the preview on 127.0.0.1:port (0: any free port) in a background thread."""
    preview = Preview(watcher)
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    server = PreviewServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, name="preview", daemon=True).start()
    return server
