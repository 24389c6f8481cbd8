"""Catalog domain: agencies, procedures and their rules. No I/O here."""
