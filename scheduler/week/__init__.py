"""A district's week: build the problem, solve, draft, review, hand edits, view (behind web/week)."""
