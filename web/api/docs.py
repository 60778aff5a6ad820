"""The OpenAPI document and an interactive docs page (Swagger UI), served from the app's
own files: no CDN, so it works inside the city's network."""
from __future__ import annotations

from pathlib import Path

import swagger_ui
from flask import Response, abort, json, render_template, send_from_directory

from web.api import bp
from web.api.spec import api_spec

ASSETS = Path(swagger_ui.__file__).parent / "static"
SERVED = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                    "favicon-32x32.png"})


@bp.get("/openapi.json")
def openapi():
    return Response(json.dumps(api_spec.spec, ensure_ascii=False), mimetype="application/json")


@bp.get("/docs")
def docs_page():
    return render_template("api/docs.html")


@bp.get("/docs/assets/<name>")
def docs_asset(name: str):
    if name not in SERVED:
        abort(404)
    return send_from_directory(ASSETS, name, max_age=86400)
