"""The coordinator's web app: a Flask application factory with one blueprint per area."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from scheduler.core.clock import Clock, SystemClock
from scheduler.core.config import Settings
from web import api, errors, health, i18n, request_log, security, solve_runner
from web import db as database
from web.auth.session import init_login
from web.config import SETTINGS, TestingConfig, config_class, require_public_address, runtime_settings
from web.dates import CLOCK
from web.extensions import csrf
from web.ids import IdConverter
from web.templating import init_templating


def create_app(test_config: dict[str, Any] | None = None, *, settings: Settings | None = None,
               clock: Clock | None = None) -> Flask:
    """Build the app.

    `settings` are read from the environment (`Settings.from_env()`) unless given, once; the
    app keeps them in `app.extensions` (see `web.config.app_settings`). Without `test_config`
    the configuration class comes from their SCHEDULER_CONFIG (production by default) and an
    optional `config.py` in the instance folder. With `test_config` the app starts from
    `TestingConfig` and the mapping overrides it. DATABASE_URL, SECRET_KEY and the other
    settings the app uses fill the configuration keys not already set.

    `clock` gives every request its time (`web.dates.now`, `local_today`): the system's by
    default, a `FixedClock` in tests.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_path.resolve()), instance_relative_config=True)
    app.extensions[SETTINGS] = settings
    app.extensions[CLOCK] = clock or SystemClock(settings.timezone)
    if test_config is None:
        app.config.from_object(config_class(settings.config_name))
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_object(TestingConfig)
        app.config.from_mapping(test_config)
    app.config.update(runtime_settings(settings, Path(app.instance_path), app.config))
    require_public_address(app)

    # Before any route is added: `<int:...>` stops at the largest row id (a bigger one is a 404).
    app.url_map.converters["int"] = IdConverter
    database.init_app(app)
    solve_runner.init_app(app)
    csrf.init_app(app)
    init_login(app)
    i18n.init_app(app)
    security.init_app(app)
    request_log.init_app(app)
    errors.init_app(app)
    init_templating(app)
    _register_blueprints(app)
    api.init_app(app)
    health.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from web.accounts import bp as accounts_bp
    from web.advisers import bp as advisers_bp
    from web.auth import bp as auth_bp
    from web.availability import bp as availability_bp
    from web.demand import bp as demand_bp
    from web.feeds import bp as feeds_bp
    from web.home import bp as home_bp
    from web.mine import bp as mine_bp
    from web.notices import bp as notices_bp
    from web.people import bp as people_bp
    from web.portal import bp as portal_bp
    from web.reports import bp as reports_bp
    from web.requests import bp as requests_bp
    from web.sites import bp as sites_bp
    from web.skills import bp as skills_bp
    from web.swaps import bp as swaps_bp
    from web.transfer import bp as transfer_bp
    from web.visits import bp as visits_bp
    from web.week import bp as week_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(sites_bp)
    app.register_blueprint(skills_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(mine_bp)
    app.register_blueprint(week_bp)
    app.register_blueprint(transfer_bp)
    app.register_blueprint(swaps_bp)
    app.register_blueprint(requests_bp)
    app.register_blueprint(visits_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(advisers_bp)
    app.register_blueprint(demand_bp)
    app.register_blueprint(availability_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(portal_bp)
