"""The independent checker for roster solutions (roster-format version 1): it judges a
solution's `assignments` by the spec alone, every hard rule and the objective term by term,
sharing no code with the parser or the CP-SAT model (`judge`: the rules and the report;
`docs`: reading the raw JSON; `terms`: the objective). Standard library only.

    from solver.check import check, CheckError, CheckReport
    python3 -m solver.check problem.json solution.json
"""
from solver.check.docs import CheckError
from solver.check.judge import CheckReport, check, main

__all__ = ["CheckError", "CheckReport", "check", "main"]
