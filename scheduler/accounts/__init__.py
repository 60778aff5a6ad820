"""Accounts managed in the app by coordinators: creation one by one or in bulk, invitations and password resets (behind web/accounts)."""
