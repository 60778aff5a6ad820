"""Liveness and readiness for load balancers and orchestrators: public, JSON, no sign-in,
no personal data. `/healthz` says the process answers; `/readyz` that it can do its work
(database reachable and at the newest schema, broker reachable when one is configured)."""
from flask import Blueprint, Flask

from web.config import app_settings

bp = Blueprint("health", __name__)

from web.health import routes  # noqa: E402,F401  - registers the views on bp


def init_app(app: Flask) -> None:
    app.config.setdefault("CELERY_BROKER_URL", app_settings(app).celery_broker_url)
    app.config.setdefault("READINESS_TIMEOUT_S", 2.0)
    app.register_blueprint(bp)
