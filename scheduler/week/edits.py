"""Hand edits of a week's draft: assign, unassign, lock and unlock.

Every edit is checked at once against the spec's hard rules by the independent checker
(`solver.check`), on just the part of the week it touches; an edit that would break a rule
is refused with the rule, named as in the catalogue `solver.rules`, and the reason. Edits
carry the draft's `lock_version` as the editor saw it, so two coordinators never overwrite
each other silently.

Edits while the week is being solved are allowed and carried over as locks: a place given by
hand while a solve job is queued or running is locked. A solver that has not read the week yet
plans around it; one that has gets its answer refused when it arrives, because the draft's
version moved (`scheduler.week.solve`), and the next solve keeps the place. Blocking edits
instead would make the coordinator wait out the solve for a change they already know they want.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Assignment, Person, Schedule, Slot, SolveJob, User
from scheduler.core import audit
from scheduler.core.access import NotVisible, require_district, require_role, require_visible
from scheduler.week.drafts import StaleDraft, check_fresh, get_or_create_draft, touch
from scheduler.week.problem import build_problem
from solver.check import check
from solver.rules import RULES


class EditRefused(Exception):
    """The edit would break hard rules; `violations` lists (rule, zh, en, detail), the rule
    named as in the catalogue `solver.rules`."""

    def __init__(self, violations: list[tuple[int, str, str, str]]) -> None:
        super().__init__("; ".join(f"rule {r}: {en} ({detail})" for r, _, en, detail in violations))
        self.violations = violations


def _draft_for(session: Session, actor: User, district_id: int, week_start: date,
               expected_lock_version: int | None) -> Schedule:
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    draft = get_or_create_draft(session, district_id, week_start, actor)
    check_fresh(draft, expected_lock_version)
    return draft


def _touch(draft: Schedule, now: datetime) -> None:
    # Any edit raises the draft's version, so a stale editor's next write is refused.
    touch(draft, now)


def _violations(session: Session, draft: Schedule, slot_ids: set[int], person_ids: set[int],
                assignments: list[tuple[int, int, int]]) -> set[tuple[int, str]]:
    ids_slot = dict(session.execute(select(Slot.id, Slot.external_id).where(Slot.id.in_(slot_ids))).all())
    ids_person = dict(session.execute(select(Person.id, Person.external_id).where(Person.id.in_(person_ids))).all())
    doc = build_problem(session, draft.district_id, draft.week_start, person_ids=person_ids, slot_ids=slot_ids)
    doc["pinned"], doc["previous"] = [], []
    solution = {"format": "roster-solution/1", "status": "feasible", "objective": 0, "unfilled": [],
                "assignments": [{"slot": ids_slot[s], "person": ids_person[p], "line": line}
                                for s, p, line in assignments]}
    return set(check(doc, solution).violations)


def _scope(session: Session, draft: Schedule, slots: list[Slot], *person_ids: int) -> tuple[set[int], list[tuple[int, int, int]]]:
    """The slots an edit of (slots, people) can affect, and the draft's assignments on them."""
    mine = set(session.scalars(select(Assignment.slot_id).where(
        Assignment.schedule_id == draft.id, Assignment.person_id.in_(person_ids))))
    groups = {slot.choice_group for slot in slots if slot.choice_group}
    group = set(session.scalars(select(Slot.id).where(Slot.choice_group.in_(groups)))) if groups else set()
    slot_ids = {slot.id for slot in slots} | mine | group
    rows = session.execute(select(Assignment.slot_id, Assignment.person_id, Assignment.line_index).where(
        Assignment.schedule_id == draft.id, Assignment.slot_id.in_(slot_ids))).all()
    return slot_ids, [tuple(r) for r in rows]


def _refuse_new_violations(session, draft, slot_ids, before, after) -> None:
    people = {p for _, p, _ in before} | {p for _, p, _ in after}
    new = _violations(session, draft, slot_ids, people, after) - _violations(session, draft, slot_ids, people, before)
    if new:
        raise EditRefused(sorted((rule, RULES[rule].zh, RULES[rule].en, text) for rule, text in new))


def refuse_replacement(session: Session, schedule: Schedule, slot: Slot, old_person_id: int,
                       new_person_id: int) -> None:
    """Raise EditRefused when giving `old_person_id`'s place in `slot` to `new_person_id`
    would break a hard rule in `schedule` (a draft or a published version) for either of
    them or anyone sharing their slots: how swaps between providers are checked."""
    slot_ids, before = _scope(session, schedule, [slot], old_person_id, new_person_id)
    after = [(s, new_person_id if (s, p) == (slot.id, old_person_id) else p, line) for s, p, line in before]
    _refuse_new_violations(session, schedule, slot_ids, before, after)


def assign(session: Session, actor: User, district_id: int, week_start: date, slot_id: int, person_id: int,
           line_index: int, expected_lock_version: int | None = None, *, now: datetime) -> Assignment:
    draft = _draft_for(session, actor, district_id, week_start, expected_lock_version)
    slot = session.get(Slot, slot_id)
    person = session.get(Person, person_id)
    if slot is None or slot.district_id != district_id or slot.week_start != week_start:
        raise NotVisible("No such slot in this week.")
    require_visible(actor, person.district_id if person else None)
    slot_ids, before = _scope(session, draft, [slot], person_id)
    _refuse_new_violations(session, draft, slot_ids, before, [*before, (slot_id, person_id, line_index)])
    # Made while the week is being solved: locked, so no solve answer can take it away.
    solving = solving_job(session, district_id, week_start)
    assignment = Assignment(schedule_id=draft.id, slot_id=slot_id, person_id=person_id, line_index=line_index,
                            source="manual", made_by_id=actor.id, locked=solving is not None)
    session.add(assignment)
    _touch(draft, now)
    session.flush()
    audit.record(session, actor, "assign", "assignment", assignment.id, district_id, slot=slot.external_id,
                 person=person.external_id, line=line_index,
                 **({"locked_during_job": solving} if solving is not None else {}))
    return assignment


def move(session: Session, actor: User, district_id: int, week_start: date,
         removals: list[tuple[int, int, int]], additions: list[tuple[int, int, int]],
         expected_lock_version: int | None = None, *, now: datetime, action: str) -> list[Assignment]:
    """Several changes of (slot, person, line) places as one edit, checked together: a
    replacement (one out, one in) or a suggestion's repair (a person moves to the open
    place and someone takes theirs). Each removed place must still be in the draft."""
    draft = _draft_for(session, actor, district_id, week_start, expected_lock_version)
    slots = {s: session.get(Slot, s) for s, _, _ in (*removals, *additions)}
    people = {p: session.get(Person, p) for _, p, _ in (*removals, *additions)}
    for slot in slots.values():
        if slot is None or slot.district_id != district_id or slot.week_start != week_start:
            raise NotVisible("No such slot in this week.")
    for person in people.values():
        require_visible(actor, person.district_id if person else None)
    slot_ids, before = _scope(session, draft, list(slots.values()), *people)
    removed = set(removals)
    gone = [a for a in before if a not in removed]
    if len(gone) != len(before) - len(removed):
        raise StaleDraft("a place to move is no longer in the draft")
    _refuse_new_violations(session, draft, slot_ids, before, [*gone, *additions])
    for slot_id, person_id, line in removals:
        session.delete(session.scalar(select(Assignment).where(
            Assignment.schedule_id == draft.id, Assignment.slot_id == slot_id,
            Assignment.person_id == person_id, Assignment.line_index == line)))
    session.flush()
    solving = solving_job(session, district_id, week_start)
    made = [Assignment(schedule_id=draft.id, slot_id=s, person_id=p, line_index=line, source="manual",
                       made_by_id=actor.id, locked=solving is not None) for s, p, line in additions]
    session.add_all(made)
    _touch(draft, now)
    session.flush()
    audit.record(session, actor, action, "schedule", draft.id, district_id,
                 removed=[[slots[s].external_id, people[p].external_id, line] for s, p, line in removals],
                 added=[[slots[s].external_id, people[p].external_id, line] for s, p, line in additions])
    return made


def solving_job(session: Session, district_id: int, week_start: date) -> int | None:
    """The id of the week's queued or running solve job, if any."""
    return session.scalar(select(SolveJob.id).where(
        SolveJob.district_id == district_id, SolveJob.week_start == week_start,
        SolveJob.state.in_(("queued", "running"))))


def _draft_assignment(session: Session, actor: User, assignment_id: int,
                      expected_lock_version: int | None) -> tuple[Assignment, Schedule]:
    require_role(actor, "coordinator")
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotVisible("No such assignment.")
    draft = assignment.schedule
    require_visible(actor, draft.district_id)
    if draft.state != "draft":
        raise NotVisible("Published versions cannot be edited; edit the draft.")
    check_fresh(draft, expected_lock_version)
    return assignment, draft


def unassign(session: Session, actor: User, assignment_id: int, expected_lock_version: int | None = None, *,
             now: datetime) -> None:
    assignment, draft = _draft_assignment(session, actor, assignment_id, expected_lock_version)
    slot_ids, before = _scope(session, draft, [assignment.slot], assignment.person_id)
    key = (assignment.slot_id, assignment.person_id, assignment.line_index)
    # Taking someone off can still break a rule: the last lawyer supervising a trainee.
    _refuse_new_violations(session, draft, slot_ids, before, [a for a in before if a != key])
    audit.record(session, actor, "unassign", "assignment", assignment.id, draft.district_id,
                 slot=assignment.slot.external_id, person=assignment.person.external_id)
    session.delete(assignment)
    _touch(draft, now)
    session.flush()


def set_locked(session: Session, actor: User, assignment_id: int, locked: bool,
               expected_lock_version: int | None = None, *, now: datetime) -> Assignment:
    assignment, draft = _draft_assignment(session, actor, assignment_id, expected_lock_version)
    assignment.locked = locked
    _touch(draft, now)
    session.flush()
    audit.record(session, actor, "lock" if locked else "unlock", "assignment", assignment.id, draft.district_id)
    return assignment
