"""What each user sees first: district overviews and dashboards (behind web/home)."""
