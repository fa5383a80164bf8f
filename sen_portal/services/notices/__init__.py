"""Maintenance notices: schedule, show, pause sign-in and email opted-in users.

May import: platform, email, values.
"""
