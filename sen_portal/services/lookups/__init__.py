"""Lookup lists (roles, settings, document types…): seeding, type-ahead search and staff
administration.

May import: platform, values.
"""
