"""Calendar feeds: tokens, content, iCalendar rendering (behind web/feeds)."""
