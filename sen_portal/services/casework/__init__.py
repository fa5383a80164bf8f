"""Casework: the staff inbox, its CSV export and the staff pages' use cases.

May import: platform, referrals, messaging, documents, forms.
"""
