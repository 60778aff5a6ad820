"""Service reports per person, village, township and month (behind web/reports)."""
