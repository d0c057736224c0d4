"""Manifest use cases: drafts, edits, reading and listing, validation."""
