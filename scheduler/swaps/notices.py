"""E-mails about swaps between colleagues, through the notices outbox: the colleague hears of a
request (and of its withdrawal), the requester of the answer; a coordinator's rejection goes
to both. A swap that is applied is announced by the publish notices instead, with the rest of
the version's changes ("swapped with a colleague"). Chinese first, English below, as all
notices."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models import Person, Slot, SwapRequest
from scheduler.notices import publish as outbox_queue
from scheduler.notices.publish import NoticeReport
from scheduler.notices.routing import person_reach
from scheduler.notices.text import compose, short_when, slot_line

# status -> who hears it (the requester "from" or the colleague "to"), subject, line and closing
# words, in Chinese and English.
TELL = {
    "requested": ("to", ("【调班请求】", "Swap request"),
                  ("{from_}请您接替：{place_zh}。", "{from_} asks you to take: {place_en}."),
                  ("请登录排班系统，在“调班”页面答复。", "Please answer on the Swaps page of the scheduler.")),
    "withdrawn": ("to", ("【调班请求已撤回】", "Swap request withdrawn"),
                  ("{from_}已撤回请您接替的请求：{place_zh}。", "{from_} has withdrawn the request to take: {place_en}."),
                  None),
    "accepted": ("from", ("【调班待审批】", "Swap waiting for approval"),
                 ("{to}已同意接替：{place_zh}。", "{to} has agreed to take: {place_en}."),
                 ("调班还需协调员审批，结果会显示在“调班”页面。",
                  "A coordinator approves swaps in your district; the decision will show on the Swaps page.")),
    "rejected": ("from", ("【调班未成】", "Swap not made"),
                 ("调班未成：{place_zh}，仍由您承担。", "The swap did not happen: {place_en} stays yours."),
                 None),
}
# A coordinator's rejection also reaches the colleague, who is not going after all.
COLLEAGUE_REJECTED = ("调班未成：{place_zh}仍由{from_}承担，您无需前往。",
                      "The swap did not happen: {from_} keeps {place_en}; you need not go.")


def tell(session: Session, swap: SwapRequest, slot: Slot, now: datetime, reason: str | None = None,
         by_coordinator: bool = False) -> int:
    """Queue the e-mails of the swap's current status; how many were queued."""
    side, subject, line, closing = TELL[swap.status]
    people = {"from": session.get(Person, swap.from_person_id), "to": session.get(Person, swap.to_person_id)}
    (place_zh, place_en), (when_zh, when_en) = slot_line(slot), short_when(slot)
    words = dict(from_=people["from"].name, to=people["to"].name, place_zh=place_zh, place_en=place_en)
    letters = [(people[side], line)]
    if by_coordinator:
        letters.append((people["to"], COLLEAGUE_REJECTED))
    report = NoticeReport()
    for person, (line_zh, line_en) in letters:
        zh, en = [line_zh.format(**words)], [line_en.format(**words)]
        if swap.status == "requested" and swap.reason:
            zh.append(f"留言：{swap.reason}")
            en.append(f"Message: {swap.reason}")
        if reason:
            zh.append(f"{'协调员' if by_coordinator else people['to'].name}的原因：{reason}")
            en.append(f"{'The coordinator' if by_coordinator else people['to'].name}'s reason: {reason}")
        if closing:
            zh.append(closing[0])
            en.append(closing[1])
        outbox_queue.tell(session, report, person_reach(person), kind="swap",
             subject=f"{subject[0]}{when_zh} / {subject[1]}: {when_en}",
             body=compose((f"{person.name}您好", person.name), zh, en),
             dedupe_key=f"swap:{swap.id}:{swap.status}:person:{person.id}", now=now,
             district_id=slot.district_id, visit_start=slot.start_at,
             params={"name": person.name, "when": when_zh})
    return report.queued
