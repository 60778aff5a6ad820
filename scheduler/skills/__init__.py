"""The skills vocabulary: names in both languages, reading either name, and keeping it (behind web/skills)."""
