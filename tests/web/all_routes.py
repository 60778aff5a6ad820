"""The whole route x role table: the pages' rows (`route_table`) and the JSON API's
(`api_access`), one dict for every test that walks the app's endpoints."""
from __future__ import annotations

from tests.web.api_access import API_ROUTES, ApiRoute
from tests.web.route_table import ROUTES as PAGE_ROUTES

ROUTES = {**PAGE_ROUTES, **API_ROUTES}

__all__ = ["ROUTES", "ApiRoute"]
