"""The JSON API (`/api/v1`) for the city's mobile app and other clients, with its OpenAPI
3.1 document (`/api/v1/openapi.json`) and docs page (`/api/v1/docs`); and the pages where a
user makes and revokes their personal access tokens (`/my/api-tokens`)."""
from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")
pages = Blueprint("api_tokens", __name__, template_folder="templates")

from web.api import coordinator, docs, errors, me, provider, public, token_pages, village  # noqa: E402,F401 - register the views

errors.register(bp)


def init_app(app: Flask) -> None:
    from web.extensions import csrf

    # Token-authenticated, no cookies: nothing for a cross-site form to ride on.
    csrf.exempt(bp)
    errors.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(pages)
