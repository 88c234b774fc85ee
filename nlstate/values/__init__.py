"""Validated value types, canonical text forms and the base of the state file's models.

Kept apart from nlstate.model so that the kind modules can use them without importing the
interface model that is built from the kinds.
"""
