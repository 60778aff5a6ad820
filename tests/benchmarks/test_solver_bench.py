"""The benchmark runner's own logic: it must fail loudly on a bad answer."""
from __future__ import annotations

import pytest

from benchmarks.solver import (
    RESOLVE_COLUMNS,
    SIZE_COLUMNS,
    BenchmarkFailure,
    _week_span,
    busiest,
    judged,
    parse_args,
    table,
)


def _problem() -> dict:
    person = {"district": "D", "lat": 29.8, "lon": 121.6, "max_hours": 40, "skills": []}
    return {
        "format": "roster-problem/1", "timezone": "Asia/Shanghai",
        "sites": [{"id": "V", "name": "v", "kind": "village", "district": "D",
                   "lat": 29.8, "lon": 121.6}],
        "people": [{"id": "L1", "name": "a", "roles": ["lawyer"], **person},
                   {"id": "L2", "name": "b", "roles": ["lawyer"], **person},
                   {"id": "M1", "name": "c", "roles": ["mediator"], **person}],
        "slots": [{"id": "A", "site": "V", "kind": "visit", "start": "2026-11-30T09:00:00",
                   "end": "2026-11-30T12:00:00",
                   "demand": [{"roles": ["lawyer", "mediator"], "count": 2}]},
                  {"id": "B", "site": "V", "kind": "visit", "start": "2026-12-01T09:00:00",
                   "end": "2026-12-01T10:00:00", "demand": [{"roles": ["lawyer"], "count": 1}]}],
    }


def _solution(*triples, objective=None) -> dict:
    doc = {"format": "roster-solution/1", "status": "feasible",
           "assignments": [{"slot": s, "person": p, "line": k} for s, p, k in triples]}
    if objective is not None:
        doc["objective"] = objective
    return doc


def test_judged_passes_a_valid_answer():
    report = judged(_problem(), _solution(("A", "L1", 0), ("B", "L2", 0)), "x")
    assert report.ok and (report.filled, report.demanded) == (2, 3)


def test_judged_fails_loudly_on_a_violation():
    prob = _problem()
    prob["slots"][1]["start"] = "2026-11-30T11:00:00"  # overlaps A
    prob["slots"][1]["end"] = "2026-11-30T13:00:00"
    assert judged(prob, _solution(("A", "L1", 0), ("B", "L2", 0)), "x").ok
    with pytest.raises(BenchmarkFailure, match=r"district: solver: 1 hard-rule(.|\n)*rule 5"):
        judged(prob, _solution(("A", "L1", 0), ("B", "L1", 0)), "district: solver")


def test_judged_fails_loudly_on_a_misreported_objective():
    true = judged(_problem(), _solution(("B", "L2", 0)), "x").objective
    assert judged(_problem(), _solution(("B", "L2", 0), objective=true), "x").ok
    with pytest.raises(BenchmarkFailure, match="claims objective"):
        judged(_problem(), _solution(("B", "L2", 0), objective=true + 1), "city: solver")


def test_busiest_lawyer_by_hours_then_id():
    written = _solution(("A", "L2", 0), ("A", "M1", 0), ("B", "L1", 0))
    assert busiest(_problem(), written, "lawyer") == "L2"  # 3 h against 1 h; M1 no lawyer
    written = _solution(("B", "L2", 0), ("A", "M1", 0))
    assert busiest(_problem(), written, "lawyer") == "L2"
    with pytest.raises(BenchmarkFailure, match="no lawyer"):
        busiest(_problem(), _solution(("A", "M1", 0)), "lawyer")


def test_week_span_covers_every_slot_with_offsets():
    span = _week_span(_problem())
    assert span == {"start": "2026-11-29T09:00:00+08:00", "end": "2026-12-02T10:00:00+08:00"}


def test_tables_and_arguments():
    row = {"size": "tiny", "sites": 2, "people": 3, "slots": 4, "places": 5,
           "time_limit": 10, "wall_s": 1.23, "status": "optimal", "objective": 1234.5,
           "bound": None, "gap": None, "fill": 0.5, "greedy_objective": 2000,
           "greedy_fill": 0.25, "greedy_s": 0.01, "ratio": 0.61725, "peak_rss_mib": 99.6}
    md = table([row], SIZE_COLUMNS, markdown=True).splitlines()
    assert md[0].startswith("| size | sites |") and md[1].startswith("|---|---:|")
    assert "| tiny | 2 | 3 | 4 | 5 | 10 | 1.2 | optimal | 1,234 | - | - | 50.0% |" in md[2]
    assert "0.617" in md[2] and md[2].endswith("| 100 |")
    plain = table([row], SIZE_COLUMNS, markdown=False).splitlines()
    assert len(plain) == 2 and "optimal" in plain[1]
    assert table([{}], RESOLVE_COLUMNS, markdown=False).splitlines()[1].split()[0] == "-"
    assert parse_args(["--sizes", "tiny,scarce"]).size_list == ["tiny", "scarce"]
    with pytest.raises(SystemExit):
        parse_args(["--sizes", "tiny,huge"])
