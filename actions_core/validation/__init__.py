"""Validation: fields as JSON Schema, and the fast payload and settings validators."""
