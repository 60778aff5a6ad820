"""Accounts: signing in with throttling, passwords, locales (behind web/auth)."""
