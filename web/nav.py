"""The main navigation: each blueprint registers its entries with the roles that see them,
so a new area adds its link without editing the base template."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy translation
    roles: tuple[str, ...]
    order: int
    # Endpoint prefix marking the entry as current (e.g. "people." for the whole area).
    area: str


_ITEMS: dict[str, NavItem] = {}


def nav_item(endpoint: str, label: Any, roles: tuple[str, ...], order: int, area: str | None = None) -> None:
    _ITEMS[endpoint] = NavItem(endpoint, label, roles, order, area or endpoint)


def items_for(role: str | None) -> list[NavItem]:
    if role is None:
        return []
    return sorted((i for i in _ITEMS.values() if role in i.roles), key=lambda i: i.order)


def is_current(item: NavItem) -> bool:
    return (request.endpoint or "").startswith(item.area)
