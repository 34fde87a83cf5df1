"""A fixture server that sends no validators (no ETag, no Last-Modified), so every poll gets a 200
with the same bytes: polling's "unchanged body" path (the body hash matches), which
articles.demo_server's conditional GET would turn into 304s.

    python -m bench.plain_server --port 0 --root tests/fixtures

Like the demo server it binds 127.0.0.1 only, ignores query strings and prints the URL it serves
at on its first line. Standard library and articles.demo_server only.
"""

import argparse
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote, urlsplit

from articles.demo_server import (
    BIND_ADDRESS,
    DEFAULT_DEMO_SOURCES,
    DEFAULT_ROOT,
    FixtureRequestHandler,
    FixtureServer,
    content_types_from,
)


class NoValidatorsRequestHandler(FixtureRequestHandler):
    def respond(self, send_body: bool) -> None:
        relative_path = unquote(urlsplit(self.path).path).lstrip("/")
        file_path = self.resolve_inside_root(relative_path)
        if file_path is None or not file_path.is_file():
            self.send_plain(HTTPStatus.NOT_FOUND, f"no such file: {relative_path}\n", send_body)
            return
        body = file_path.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.content_type_of(file_path))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class NoValidatorsServer(FixtureServer):
    def __init__(self, port: int, root: Path, content_types: dict[str, str]):
        super().__init__(port, root, content_types, quiet=True)
        self.RequestHandlerClass = NoValidatorsRequestHandler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.plain_server", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder to serve (default tests/fixtures)")
    args = parser.parse_args(argv)
    server = NoValidatorsServer(args.port, args.root, content_types_from(DEFAULT_DEMO_SOURCES))
    print(f"Serving {server.root} without validators at http://{BIND_ADDRESS}:{server.server_port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
