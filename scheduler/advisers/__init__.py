"""Standing village advisers and the visit rhythm (behind web/advisers)."""
