"""Sites: search, read, create and edit, conflicts of interest (behind web/sites)."""
