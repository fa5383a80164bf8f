"""Requests (referrals): drafts section by section, atomic submit, intake, the request pages'
use cases, the council's workflow and statutory dates.

May import: platform, documents, lookups, forms, email, values.
"""
