"""Notify's domain: event catalogue, templates, SMS segments, delivery lifecycle. No I/O."""
