"""Submission domain: pure rules, no I/O."""
