"""Standing village advisers in the database: propose a re-pairing with the optimal solver,
compare it with the current pairing, fix pairs by hand, approve it in one transaction.

Approval ends the pairs that change (`valid_to`) and starts the new ones (`valid_from`) on
the same date; rows are never deleted, so the history of every village stays readable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from models import (
    District,
    Pairing,
    PairingProposal,
    PairingProposalItem,
    Person,
    PersonRole,
    Site,
    SiteExclusion,
    User,
)
from scheduler.core import audit
from scheduler.core.access import NotVisible, require_district, require_role, require_visible
from solver.geo import km
from solver.pairing import pair
from solver.problem import Pair, Problem
from solver.problem import Person as SPerson
from solver.problem import Site as SSite

SUPERVISOR_ROLE = "lawyer"


class ProposalError(Exception):
    """The proposal cannot be made or approved as asked. `code` and `params` let the web
    layer say why in the reader's language; the message is the English text."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def _check(actor: User | None, district_id: int) -> None:
    # The command line acts with no user; every user is held to their districts.
    if actor is not None:
        require_role(actor, "coordinator")
        require_district(actor, district_id)


@dataclass(frozen=True)
class ComparisonRow:
    site_id: int
    site: str
    site_name: str
    current: str | None  # the current adviser's name
    proposed: str | None
    status: str  # kept | moved | new | unpaired
    km_before: float | None
    km_after: float | None
    fixed: bool
    reasons: tuple[str, ...]  # "<Chinese> / <English>", for the command line
    # The same reasons as stored ({"code", "zh", "en", parameters}), for pages in one language.
    reason_codes: tuple[dict, ...] = ()


def current_pairs(session: Session, site_ids: list[int], on: date) -> dict[int, Pairing]:
    rows = session.scalars(
        select(Pairing).where(Pairing.site_id.in_(site_ids), Pairing.valid_from <= on,
                              or_(Pairing.valid_to.is_(None), Pairing.valid_to > on))
    )
    return {p.site_id: p for p in rows}


def _villages(session: Session, district_id: int) -> list[Site]:
    return list(session.scalars(
        select(Site).where(Site.district_id == district_id, Site.kind == "village", Site.active).order_by(Site.external_id)
    ))


def pairing_problem(session: Session, district_id: int, on: date) -> tuple[Problem, dict[int, int]]:
    """The district's villages and lawyers as a solver problem; also site id -> current adviser id."""
    villages = _villages(session, district_id)
    lawyers = list(session.scalars(
        select(Person).join(PersonRole)
        .where(Person.district_id == district_id, Person.active, PersonRole.role == SUPERVISOR_ROLE)
        .options(selectinload(Person.roles), selectinload(Person.skills)).order_by(Person.external_id)
    ))
    current = {sid: p.person_id for sid, p in current_pairs(session, [v.id for v in villages], on).items()}
    by_person: dict[int, set[str]] = {}
    ext = {v.id: v.external_id for v in villages}
    for site_id, person_id in current.items():
        by_person.setdefault(person_id, set()).add(ext[site_id])
    excluded: dict[int, set[str]] = {}
    for person_id, site_ext in session.execute(
        select(SiteExclusion.person_id, Site.external_id).join(Site).where(Site.district_id == district_id)
    ):
        excluded.setdefault(person_id, set()).add(site_ext)
    district = session.get(District, district_id)
    problem = Problem(
        timezone=district.timezone,
        sites=tuple(SSite(v.external_id, v.name, "village", district.name, v.lat, v.lon, tuple(v.needs)) for v in villages),
        people=tuple(
            SPerson(p.external_id, p.name, frozenset(p.role_names), frozenset(p.skill_names), district.name,
                    p.lat, p.lon, p.max_hours_week, paired_sites=frozenset(by_person.get(p.id, ())),
                    excluded_sites=frozenset(excluded.get(p.id, ())), max_paired_sites=p.max_paired_sites)
            for p in lawyers
        ),
        slots=(),
    )
    return problem, current


def propose(session: Session, actor: User | None, district_id: int, on: date,
            fixed: dict[int, int] | None = None) -> PairingProposal:
    """Solve the district's pairing (keeping `fixed` site id -> person id) and store it for review."""
    _check(actor, district_id)
    fixed = fixed or {}
    problem, current = pairing_problem(session, district_id, on)
    site_ext = {s.id: s.external_id for s in _villages(session, district_id)}
    people = dict(session.execute(select(Person.id, Person.external_id).where(Person.district_id == district_id)).all())
    unknown = [sid for sid in fixed if sid not in site_ext] + [pid for pid in fixed.values() if pid not in people]
    if unknown:
        raise ProposalError("fixed_outside", f"fixed pairs name villages or people outside this district: "
                            f"{sorted(unknown)}", count=len(unknown))
    result = pair(problem, fixed=tuple(Pair(site_ext[s], people[p]) for s, p in fixed.items()))
    if result.status == "infeasible":
        raise ProposalError("fixed_conflicts", "; ".join(f"{r.zh} / {r.en}" for r in result.conflicts),
                            zh="；".join(r.zh for r in result.conflicts), en="; ".join(r.en for r in result.conflicts))
    site_id = {v: k for k, v in site_ext.items()}
    person_id = {v: k for k, v in people.items()}
    reasons = {u.site: [{"code": r.code, "zh": r.zh, "en": r.en, **dict(r.params)} for r in u.reasons]
               for u in result.unpaired_sites}
    proposal = PairingProposal(district_id=district_id, solver_status=result.status, objective=result.objective,
                               stats=dict(result.stats), created_by_id=actor.id if actor else None)
    chosen = {p.site: person_id[p.person] for p in result.pairs}
    proposal.items = [
        PairingProposalItem(site_id=site_id[ext], person_id=chosen.get(ext), current_person_id=current.get(site_id[ext]),
                            fixed=site_id[ext] in fixed, reasons=reasons.get(ext, []))
        for ext in sorted(site_id)
    ]
    session.add(proposal)
    session.flush()
    audit.record(session, actor, "propose_pairing", "pairing_proposal", proposal.id, district_id,
                 objective=result.objective, status=result.status)
    return proposal


def compare(session: Session, proposal: PairingProposal) -> list[ComparisonRow]:
    sites = {s.id: s for s in session.scalars(select(Site).where(Site.id.in_([i.site_id for i in proposal.items])))}
    ids = {i.person_id for i in proposal.items} | {i.current_person_id for i in proposal.items}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids - {None})))}

    def dist(site: Site, person_id: int | None) -> float | None:
        p = people.get(person_id)
        return None if p is None else round(km(p.lat, p.lon, site.lat, site.lon), 2)

    rows = []
    for item in proposal.items:
        site = sites[item.site_id]
        if item.person_id is None:
            status = "unpaired"
        elif item.current_person_id is None:
            status = "new"
        else:
            status = "kept" if item.current_person_id == item.person_id else "moved"
        rows.append(ComparisonRow(
            site_id=site.id, site=site.external_id, site_name=site.name,
            current=people[item.current_person_id].name if item.current_person_id in people else None,
            proposed=people[item.person_id].name if item.person_id in people else None,
            status=status, km_before=dist(site, item.current_person_id), km_after=dist(site, item.person_id),
            fixed=item.fixed, reasons=tuple(f"{r['zh']} / {r['en']}" for r in item.reasons),
            reason_codes=tuple(item.reasons or ()),
        ))
    return rows


def approve(session: Session, actor: User | None, proposal_id: int, effective_from: date, *,
            now: datetime) -> dict[str, int]:
    """End the changed pairs and start the new ones, all or nothing (the caller's transaction)."""
    proposal = get_proposal(session, actor, proposal_id)
    if proposal.status != "open":
        raise ProposalError("closed", f"proposal {proposal_id} is already {proposal.status}", status=proposal.status)
    current = current_pairs(session, [i.site_id for i in proposal.items], effective_from)
    stale = [i.site_id for i in proposal.items
             if (current[i.site_id].person_id if i.site_id in current else None) != i.current_person_id]
    if stale:
        raise ProposalError("stale", f"the pairing of {len(stale)} villages changed since this proposal was made: "
                            "propose again", count=len(stale))
    too_early = [p for p in current.values() if p.valid_from > effective_from]
    if too_early:
        raise ProposalError("too_early", f"{len(too_early)} current pairs start after {effective_from}: "
                            "choose a later date", count=len(too_early), date=effective_from.isoformat())
    counts = {"kept": 0, "ended": 0, "started": 0}
    changed = [i for i in proposal.items if i.person_id != i.current_person_id]
    for item in changed:
        if item.site_id in current:
            current[item.site_id].valid_to = effective_from
            counts["ended"] += 1
    session.flush()  # the one-current-adviser index must see the ended pairs first
    for item in changed:
        if item.person_id is not None:
            _start_pair(session, item, effective_from, actor)
            counts["started"] += 1
    counts["kept"] = len(proposal.items) - len(changed)
    proposal.status, proposal.approved_at, proposal.effective_from = "approved", now, effective_from
    proposal.approved_by_id = actor.id if actor else None
    session.flush()
    audit.record(session, actor, "approve_pairing", "pairing_proposal", proposal.id, proposal.district_id,
                 effective_from=effective_from.isoformat(), **counts)
    return counts


def _start_pair(session: Session, item: PairingProposalItem, effective_from: date, actor: User | None) -> None:
    session.add(Pairing(site_id=item.site_id, person_id=item.person_id, valid_from=effective_from,
                        approved_by_id=actor.id if actor else None))
    session.flush()


def history(session: Session, site_id: int) -> list[Pairing]:
    """Every adviser the village has had, the oldest first (the site page lists them newest first)."""
    from scheduler.sites.search import pairing_history

    return list(reversed(pairing_history(session, session.get(Site, site_id))))


def get_proposal(session: Session, actor: User | None, proposal_id: int) -> PairingProposal:
    if actor is not None:
        require_role(actor, "coordinator")
    proposal = session.get(PairingProposal, proposal_id)
    if proposal is None:
        raise NotVisible("No such proposal.")
    if actor is not None:
        require_visible(actor, proposal.district_id)
    return proposal


def discard(session: Session, actor: User | None, proposal_id: int) -> PairingProposal:
    proposal = get_proposal(session, actor, proposal_id)
    if proposal.status != "open":
        raise ProposalError("closed", f"proposal {proposal_id} is already {proposal.status}", status=proposal.status)
    proposal.status = "discarded"
    audit.record(session, actor, "discard_pairing", "pairing_proposal", proposal.id, proposal.district_id)
    return proposal


@dataclass(frozen=True)
class CurrentPair:
    site_id: int
    site: str
    site_name: str
    township: str | None
    person_id: int | None
    person: str | None
    since: date | None
    km: float | None


def current_pairing(session: Session, actor: User | None, district_id: int, on: date) -> list[CurrentPair]:
    """Every village of the district with its adviser on `on` (None while it has none)."""
    _check(actor, district_id)
    villages = session.scalars(
        select(Site).where(Site.district_id == district_id, Site.kind == "village", Site.active)
        .options(selectinload(Site.township)).order_by(Site.external_id)
    ).all()
    pairs = current_pairs(session, [v.id for v in villages], on)
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_({p.person_id for p in pairs.values()})))}
    rows = []
    for v in villages:
        pair_ = pairs.get(v.id)
        person = people.get(pair_.person_id) if pair_ else None
        rows.append(CurrentPair(
            v.id, v.external_id, v.name, v.township.name if v.township else None,
            person.id if person else None, person.name if person else None, pair_.valid_from if pair_ else None,
            round(km(person.lat, person.lon, v.lat, v.lon), 2) if person else None))
    return rows


def open_proposals(session: Session, actor: User | None, district_id: int) -> list[PairingProposal]:
    _check(actor, district_id)
    return list(session.scalars(select(PairingProposal).where(
        PairingProposal.district_id == district_id, PairingProposal.status == "open")
        .order_by(PairingProposal.created_at.desc())))
