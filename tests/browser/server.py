"""A static web server for the built site that compresses like a host.

Static hosts (GitHub Pages, Netlify, any nginx) send HTML, CSS, JavaScript
and JSON gzip-compressed to a browser that accepts it; the page-speed
checks measure the site as served that way. Python's own server does not
compress, so this handler does, for text types only (PNGs are compressed
already).
"""
from __future__ import annotations

import functools
import gzip
import io
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

COMPRESSED = ("text/", "application/javascript", "application/json",
              "image/svg+xml")


@functools.lru_cache(maxsize=1024)
def compressed(path: str, mtime_ns: int, size: int) -> bytes:
    """The file's bytes gzip-compressed, once per version of the file
    (every page visit starts with an empty browser cache and asks again
    for the same scripts and styles)."""
    with open(path, "rb") as source:
        return gzip.compress(source.read(), compresslevel=6)


class CompressingHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        kind = self.guess_type(path)
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and os.path.isfile(path)
                and kind.startswith(COMPRESSED)):
            return super().send_head()
        stat = os.stat(path)
        data = compressed(path, stat.st_mtime_ns, stat.st_size)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


def serve(directory) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``directory`` on a free loopback port; the server and its URL.
    """
    handler = functools.partial(CompressingHandler,
                                directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
