"""A tiny read-only HTTP server for the recorded payloads, so the demo polls without the internet.

    python -m articles.demo_server --port 8001 --root tests/fixtures

It answers like a well-behaved feed host: the Content-Type the real server sent (from
articles/data/demo_sources.json, else by file extension), an ETag and a Last-Modified, and 304
to a matching If-None-Match / If-Modified-Since, so the demo exercises conditional GET too.
It binds 127.0.0.1 only, serves files only (no listings), and refuses any path that would leave
the root folder. Standard library only: it must run without Django or the adapters.
"""

import argparse
import hashlib
import json
import signal
import sys
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ROOT = PACKAGE_DIR.parent / "tests" / "fixtures"
DEFAULT_DEMO_SOURCES = PACKAGE_DIR / "data" / "demo_sources.json"
DEFAULT_PORT = 8001
BIND_ADDRESS = "127.0.0.1"  # never all interfaces: this is a development aid, not a file server

CONTENT_TYPES_BY_EXTENSION = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
FALLBACK_CONTENT_TYPE = "application/octet-stream"


def content_types_from(demo_sources_file: Path | None) -> dict[str, str]:
    """{path relative to the root: content type} from demo_sources.json. Read leniently (no kind
    checks, problems only warned about): the server should still serve while that file or the
    adapters are being edited; unlisted files fall back to their extension."""
    if demo_sources_file is None:
        return {}
    try:
        document = json.loads(Path(demo_sources_file).read_text(encoding="utf-8"))
        return {
            entry["path"]: entry["content_type"]
            for entry in document["sources"]
            if isinstance(entry.get("path"), str) and isinstance(entry.get("content_type"), str)
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"demo_server: ignoring {demo_sources_file} ({exc}); content types by extension", file=sys.stderr)
        return {}


def entity_tag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match requires: W/ prefixes are ignored."""
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def not_modified_since(if_modified_since: str, modified_at: datetime) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False  # an unreadable date is ignored, as RFC 9110 says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return modified_at.replace(microsecond=0) <= since


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True  # a hung client must not keep the process alive on Ctrl-C

    def __init__(
        self, port: int, root: Path, content_types: dict[str, str], quiet: bool = False, validators: bool = True
    ):
        self.root = Path(root).resolve()
        self.content_types = content_types
        self.quiet = quiet
        # Without validators every poll gets a 200 with the same bytes (the benchmark's "unchanged body").
        self.validators = validators
        super().__init__((BIND_ADDRESS, port), FixtureRequestHandler)


class FixtureRequestHandler(BaseHTTPRequestHandler):
    server: FixtureServer
    server_version = "OutageHubDemo/1"
    # Keep-alive, as real feed servers do: every response below carries a Content-Length.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY a kept-alive connection waits
    # for the client's delayed ACK (40 ms) between them.
    disable_nagle_algorithm = True

    def do_GET(self):
        self.respond(send_body=True)

    def do_HEAD(self):
        self.respond(send_body=False)

    def respond(self, send_body: bool) -> None:
        relative_path = unquote(urlsplit(self.path).path).lstrip("/")
        file_path = self.resolve_inside_root(relative_path)
        if file_path is None:
            self.send_plain(HTTPStatus.FORBIDDEN, "path leaves the served folder\n", send_body)
            return
        if not file_path.is_file():
            self.send_plain(HTTPStatus.NOT_FOUND, f"no such file: {relative_path}\n", send_body)
            return

        body = file_path.read_bytes()
        modified_at = datetime.fromtimestamp(file_path.stat().st_mtime, tz=UTC)
        validators = {
            "ETag": entity_tag(body),
            "Last-Modified": formatdate(modified_at.timestamp(), usegmt=True),
            "Cache-Control": "no-cache",
        } if self.server.validators else {}
        if validators and self.is_not_modified(validators["ETag"], modified_at):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return

        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.content_type_of(file_path))
        self.send_header("Content-Length", str(len(body)))
        for name, value in validators.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def resolve_inside_root(self, relative_path: str) -> Path | None:
        """The file the path names, or None when it would leave the root (.., absolute paths,
        backslashes, symlinks pointing out)."""
        if "\\" in relative_path or "\x00" in relative_path:
            return None
        if any(segment == ".." for segment in relative_path.split("/")):
            return None
        candidate = (self.server.root / relative_path).resolve()
        if not candidate.is_relative_to(self.server.root):
            return None
        return candidate

    def is_not_modified(self, etag: str, modified_at: datetime) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            # When both are sent, If-None-Match decides (RFC 9110 section 13.2.2).
            return etag_matches(if_none_match, etag)
        if_modified_since = self.headers.get("If-Modified-Since")
        return if_modified_since is not None and not_modified_since(if_modified_since, modified_at)

    def content_type_of(self, file_path: Path) -> str:
        relative = file_path.relative_to(self.server.root).as_posix()
        if relative in self.server.content_types:
            return self.server.content_types[relative]
        return CONTENT_TYPES_BY_EXTENSION.get(file_path.suffix.lower(), FALLBACK_CONTENT_TYPE)

    def send_plain(self, status: HTTPStatus, message: str, send_body: bool) -> None:
        body = message.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_request(self, code="-", size="-"):
        if not self.server.quiet:
            code = getattr(code, "value", code)
            sys.stderr.write(f"{self.log_date_time_string()} {self.command} {self.path} {code}\n")

    def log_message(self, format, *args):  # the base class names it `format`
        # Errors only (bad request lines and the like); successful requests go through log_request.
        if not self.server.quiet:
            sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m articles.demo_server",
        description="Serve the recorded payloads read-only on 127.0.0.1 for the offline demo.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder to serve (default tests/fixtures)")
    parser.add_argument(
        "--demo-sources",
        type=Path,
        default=DEFAULT_DEMO_SOURCES,
        help="demo_sources.json, for each payload's Content-Type (default articles/data/demo_sources.json)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--no-validators", action="store_true",
                        help="send no ETag or Last-Modified, so conditional GET never answers 304")
    args = parser.parse_args(argv)

    if not args.root.is_dir():
        parser.error(f"--root {args.root} is not a folder; pass the recorded payloads' folder, e.g. tests/fixtures")
    try:
        server = FixtureServer(args.port, args.root, content_types_from(args.demo_sources), quiet=args.quiet,
                               validators=not args.no_validators)
    except OSError as exc:
        parser.error(f"cannot listen on {BIND_ADDRESS}:{args.port} ({exc}); pick another --port")
    # SIGTERM (scripts/serve, a service manager) stops it as Ctrl-C does: a clean exit, status 0.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    print(
        f"Serving {server.root} read-only at http://{BIND_ADDRESS}:{server.server_port}/ (Ctrl-C to stop)", flush=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
