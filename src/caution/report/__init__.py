"""Rendering results for people (rich text) and programs (JSON)."""
