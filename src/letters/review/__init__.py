"""Reviewing a year: what changed in a letter, and where a phrase is."""
