"""Availability kept by coordinators (behind web/availability)."""
