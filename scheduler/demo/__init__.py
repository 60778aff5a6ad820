"""A realistic, deterministic demo world modelled on Ningbo (no database, no solver)."""
from scheduler.demo.model import World
from scheduler.demo.world import SIZES, build_world

__all__ = ["SIZES", "World", "build_world"]
