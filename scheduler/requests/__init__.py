"""Village visit requests: intake, the owner's desk, what published versions plan (behind web/requests)."""
