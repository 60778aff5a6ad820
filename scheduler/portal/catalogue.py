"""The service catalogue (产品目录): read by anyone, kept by city coordinators.

`list_products` is what the public page and the API show; `product_for_edit`,
`create_product`, `update_product` and `set_product_active` are the city coordinators'
(`AccessDenied` for anyone else), each audited. No function commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ServiceProduct, User
from scheduler.core import audit
from scheduler.core.access import AccessDenied, NotVisible, require_role
from scheduler.portal.words import pick

CODE_SHAPE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")


@dataclass(frozen=True)
class Product:
    """One product in the reader's language."""

    id: int
    code: str
    name: str
    provider: str
    where_when: str
    bring: str
    free: bool
    fee: str


@dataclass(frozen=True)
class ProductData:
    """Everything a coordinator edits, in both languages."""

    code: str
    name_zh: str
    name_en: str = ""
    provider_zh: str = ""
    provider_en: str = ""
    where_when_zh: str = ""
    where_when_en: str = ""
    bring_zh: str = ""
    bring_en: str = ""
    free: bool = True
    fee_zh: str = ""
    fee_en: str = ""
    sort_order: int = 100


@dataclass(frozen=True)
class ProductRecord:
    id: int
    active: bool
    data: ProductData


class CatalogueError(ValueError):
    """A refused edit; `code` names the problem (bad_code, code_taken, name_missing)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def list_products(session: Session, locale: str | None = None) -> list[Product]:
    """The active products in the catalogue's order, in the reader's language."""
    rows = session.scalars(select(ServiceProduct).where(ServiceProduct.active)
                           .order_by(ServiceProduct.sort_order, ServiceProduct.id))
    return [Product(p.id, p.code, pick(p.name_zh, p.name_en, locale), pick(p.provider_zh, p.provider_en, locale),
                    pick(p.where_when_zh, p.where_when_en, locale), pick(p.bring_zh, p.bring_en, locale),
                    p.free, pick(p.fee_zh, p.fee_en, locale)) for p in rows]


def require_city(actor: User) -> None:
    """Only a city-wide coordinator keeps what is city-wide."""
    require_role(actor, "coordinator")
    if not actor.city_wide:
        raise AccessDenied("Only a city coordinator edits the catalogue.")


def _record(row: ServiceProduct) -> ProductRecord:
    return ProductRecord(row.id, row.active, ProductData(**{f.name: getattr(row, f.name) for f in fields(ProductData)}))


def all_products(session: Session, actor: User) -> list[ProductRecord]:
    """Every product, inactive ones included, for the coordinators' list (any coordinator
    reads it; only a city coordinator edits)."""
    require_role(actor, "coordinator")
    return [_record(p) for p in session.scalars(select(ServiceProduct)
                                                .order_by(ServiceProduct.sort_order, ServiceProduct.id))]


def _get(session: Session, product_id: int) -> ServiceProduct:
    row = session.get(ServiceProduct, product_id)
    if row is None:
        raise NotVisible(f"no product {product_id}")
    return row


def product_for_edit(session: Session, actor: User, product_id: int) -> ProductRecord:
    require_city(actor)
    return _record(_get(session, product_id))


def _check(session: Session, data: ProductData, product_id: int | None) -> None:
    if not CODE_SHAPE.fullmatch(data.code or ""):
        raise CatalogueError("bad_code")
    if not (data.name_zh or "").strip():
        raise CatalogueError("name_missing")
    taken = session.scalar(select(ServiceProduct.id).where(ServiceProduct.code == data.code))
    if taken is not None and taken != product_id:
        raise CatalogueError("code_taken")


def create_product(session: Session, actor: User, data: ProductData) -> ProductRecord:
    require_city(actor)
    _check(session, data, None)
    row = ServiceProduct(**{f.name: getattr(data, f.name) for f in fields(ProductData)})
    session.add(row)
    session.flush()
    audit.record(session, actor, "product.create", "service_product", row.id, None, code=row.code)
    return _record(row)


def update_product(session: Session, actor: User, product_id: int, data: ProductData) -> ProductRecord:
    require_city(actor)
    row = _get(session, product_id)
    _check(session, data, product_id)
    for f in fields(ProductData):
        setattr(row, f.name, getattr(data, f.name))
    session.flush()
    audit.record(session, actor, "product.update", "service_product", row.id, None, code=row.code)
    return _record(row)


def set_product_active(session: Session, actor: User, product_id: int, active: bool) -> ProductRecord:
    """Take a product off the public catalogue (or put it back); nothing is deleted."""
    require_city(actor)
    row = _get(session, product_id)
    row.active = active
    session.flush()
    audit.record(session, actor, "product.activate" if active else "product.deactivate", "service_product",
                 row.id, None, code=row.code)
    return _record(row)
