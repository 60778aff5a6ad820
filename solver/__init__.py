"""Pure scheduling: the roster problem, its CP-SAT model, explanations and the standing
pairing. Standard library and ortools only; frozen dataclasses in and out."""
