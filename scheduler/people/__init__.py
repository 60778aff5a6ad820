"""People management for coordinators (behind web/people)."""
