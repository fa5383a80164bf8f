"""Addresses: postcode search (local gazetteer or OS Places) and the CSV import.

May import: platform, values.
"""
