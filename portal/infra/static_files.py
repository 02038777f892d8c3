"""Static files: URLs that name their content, cached for a year, compressed.

``url_for('static', filename=…)`` adds ``?v=`` and the first 16 hex digits of the file's
SHA-256, so a changed file has a new URL. A request whose ``v`` is the file's current hash gets
``Cache-Control: public, max-age=31536000, immutable``: browsers and proxies never ask again. Any
other (an old page's URL, a hand-typed one) gets Flask's default, revalidated with the ETag.

Compression (gzip, Brotli, zstd, as the client accepts) is Flask-Compress's, for pages and static
files alike; static files depend on no cookie nor language, so they send no ``Vary`` but
``Accept-Encoding`` (portal/i18n adds the others to pages only).
"""

import hashlib
import os

from flask import request
from werkzeug.security import safe_join

FOREVER = "public, max-age=31536000, immutable"
VERSION_ARG = "v"


def content_hash(app, filename: str) -> str | None:
    """The file's hash, computed once per process (on every call in debug, where files change)."""
    cache = app.extensions.setdefault("portal.static_hashes", {})
    if not app.debug and filename in cache:
        return cache[filename]
    path = safe_join(app.static_folder, filename)
    if path is None or not os.path.isfile(path):
        return None
    with open(path, "rb") as file:
        cache[filename] = hashlib.file_digest(file, "sha256").hexdigest()[:16]
    return cache[filename]


def init_app(app) -> None:
    from portal.infra.extensions import compress

    @app.url_defaults
    def add_content_hash(endpoint, values):
        if endpoint == "static" and VERSION_ARG not in values and values.get("filename"):
            digest = content_hash(app, values["filename"])
            if digest:
                values[VERSION_ARG] = digest

    compress.init_app(app)  # first: Flask runs later after_request functions earlier

    @app.after_request
    def cache_hashed_static_files(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        version = request.args.get(VERSION_ARG)
        if version and version == content_hash(app, filename):
            response.headers["Cache-Control"] = FOREVER
        if response.status_code == 200 and response.mimetype in compress.compress_mimetypes_set:
            # Read the (small) file: Flask-Compress gzips only a body it holds, not a file it streams.
            response.direct_passthrough = False
            response.make_sequence()
        return response
