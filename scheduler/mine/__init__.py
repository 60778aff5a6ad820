"""A provider's own corner: assignments, availability, busy times from their calendar (behind web/mine)."""
