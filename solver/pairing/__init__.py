"""The standing village-adviser pairing (spec: "Standing pairing"): `pair` (in `solve`)
solves it by min-cost flow (`flow`, with arcs priced in by `pricing`), with CP-SAT
(`exact`) only when the flow's optimum leaves a village unpaired that may not be; `reasons`
says in words why a village stayed unpaired or a hand-fixed pair breaks a rule.

    from solver.pairing import pair
"""
from solver.pairing.solve import pair

__all__ = ["pair"]
