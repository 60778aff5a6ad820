"""After a visit: outcomes and ratings (behind web/visits)."""
