"""Backups, restores and the retention purge (commands added below)."""
