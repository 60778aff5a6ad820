"""Operating the service: backups, retention, listings, structured logs."""
