"""Telling people: publish notices, their words, reminders, the outbox and its channels."""
