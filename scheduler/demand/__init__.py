"""Standing demand and a week's slots: shift templates, square events, the shift calendar (behind web/demand)."""
