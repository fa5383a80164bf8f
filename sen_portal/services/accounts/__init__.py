"""Accounts: registration and its steps, a user's own account settings, email change, staff
accounts, vetting and unsubscribe.

May import: platform, auth, lookups, addresses, email, values.
"""
