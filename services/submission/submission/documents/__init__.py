"""Printable documents: receipt and appointment slip, apology letter, form view."""
