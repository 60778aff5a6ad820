"""Use cases that join the models and the solver: build problems from the database, run
solves as jobs, store drafts, publish, notify; and the command line."""
