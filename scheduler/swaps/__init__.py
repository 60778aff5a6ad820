"""Swaps between providers and declines (behind web/swaps)."""
