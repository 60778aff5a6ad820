"""Writing and reading roster-solution/1 and writing roster-pairing/1 documents.

Each reason is written as one text "<Chinese> / <English>" in `reasons`, with a parallel
`reason_codes` list of `{"code": ..., **params}` for machines.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from solver.problem import (
    PAIRING_FORMAT,
    SOLUTION_FORMAT,
    OpenPlace,
    Pairing,
    Reason,
    Solution,
)
from solver.reader import (
    BAD,
    ProblemError,
    Reader,
    describe,
    kind,
    read_assignment,
    read_document,
)

SOLUTION_STATUSES = ("optimal", "feasible", "infeasible", "unknown")


def _reason_text(reason: Reason) -> str:
    return f"{reason.zh} / {reason.en}"


def _reason_code(reason: Reason) -> dict:
    return {"code": reason.code, **dict(reason.params)}


def solution_to_dict(solution: Solution) -> dict:
    """The roster-solution/1 dict; each reason as one "<Chinese> / <English>" text plus a
    machine-readable `reason_codes` list alongside."""
    doc: dict[str, Any] = {
        "format": SOLUTION_FORMAT,
        "status": solution.status,
        "objective": solution.objective,
    }
    if solution.bound is not None:
        doc["bound"] = solution.bound
    doc["assignments"] = [{"slot": a.slot, "person": a.person, "line": a.line}
                          for a in solution.assignments]
    doc["unfilled"] = [{"slot": o.slot, "line": o.line, "missing": o.missing,
                        "reasons": [_reason_text(x) for x in o.reasons],
                        "reason_codes": [_reason_code(x) for x in o.reasons]}
                       for o in solution.unfilled]
    doc["stats"] = dict(solution.stats)
    if solution.conflicts:
        doc["conflicts"] = list(solution.conflicts)
    return doc


def _parse_reasons(texts: Any, codes: Any) -> tuple[Reason, ...]:
    if not isinstance(texts, list):
        return ()
    codes = codes if isinstance(codes, list) and len(codes) == len(texts) else [None] * len(texts)
    out = []
    for text, code in zip(texts, codes):
        text = str(text)
        zh, sep, en = text.partition(" / ")
        if not sep:
            zh = en = text
        if isinstance(code, dict) and isinstance(code.get("code"), str):
            params = tuple((str(k), str(v)) for k, v in code.items() if k != "code")
            out.append(Reason(code=code["code"], zh=zh, en=en, params=params))
        else:
            out.append(Reason(code="text", zh=zh, en=en))
    return tuple(out)


def parse_solution(doc: Any) -> Solution:
    """A Solution from a roster-solution/1 dict. Tolerant: only the assignments must be well
    formed (they are what a solution is judged by); other fields fall back to defaults.
    Whether the assignments name real slots and people is for the checker to say."""
    r = Reader()
    if not isinstance(doc, dict):
        raise ProblemError([("$", f"must be an object, not {kind(doc)}")], "roster solution")
    fmt = doc.get("format")
    if fmt is not None and fmt != SOLUTION_FORMAT:
        r.error("$.format", f"must be {SOLUTION_FORMAT!r} (got {describe(fmt)})")
    items = r.field(doc, "assignments", "$", r.array)
    assignments = []
    for i, item in enumerate(items if items is not BAD else ()):
        a = read_assignment(r, item, f"$.assignments[{i}]")
        if a is not BAD:
            assignments.append(a)
    if r.errors:
        raise ProblemError(r.errors, "roster solution")

    def num(key: str) -> float | None:
        value = doc.get(key)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return float(value) if ok else None

    unfilled = []
    for item in doc.get("unfilled") or ():
        if isinstance(item, dict) and isinstance(item.get("slot"), str):
            line, missing = item.get("line"), item.get("missing")
            unfilled.append(OpenPlace(
                slot=item["slot"], line=line if isinstance(line, int) else 0,
                missing=missing if isinstance(missing, int) else 0,
                reasons=_parse_reasons(item.get("reasons"), item.get("reason_codes"))))
    stats = doc.get("stats")
    status = doc.get("status")
    objective = num("objective")
    conflicts = doc.get("conflicts")
    return Solution(
        status=status if status in SOLUTION_STATUSES else "unknown",
        objective=math.nan if objective is None else objective,
        assignments=tuple(assignments),
        unfilled=tuple(unfilled),
        bound=num("bound"),
        stats=tuple(stats.items()) if isinstance(stats, dict) else (),
        conflicts=tuple(str(c) for c in conflicts) if isinstance(conflicts, list) else (),
    )


def load_solution(path: str | Path) -> Solution:
    return parse_solution(read_document(path, "roster solution"))


def pairing_to_dict(pairing: Pairing) -> dict:
    """The roster-pairing/1 dict, reasons written like a solution's."""
    doc: dict[str, Any] = {
        "format": PAIRING_FORMAT,
        "status": pairing.status,
        "objective": pairing.objective,
        "pairs": [{"site": p.site, "person": p.person} for p in pairing.pairs],
        "unpaired_sites": [{"site": u.site,
                            "reasons": [_reason_text(x) for x in u.reasons],
                            "reason_codes": [_reason_code(x) for x in u.reasons]}
                           for u in pairing.unpaired_sites],
    }
    if pairing.conflicts:
        doc["conflicts"] = [_reason_text(x) for x in pairing.conflicts]
        doc["conflict_codes"] = [_reason_code(x) for x in pairing.conflicts]
    if pairing.stats:
        doc["stats"] = dict(pairing.stats)
    return doc
