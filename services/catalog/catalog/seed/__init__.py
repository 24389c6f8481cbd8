"""Seed data (provinces, agencies, procedures, form templates) and the command that loads it."""
