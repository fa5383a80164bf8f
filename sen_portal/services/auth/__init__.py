"""Authentication: passwords, sign-in with the emailed code, throttling, sessions, password reset,
authenticator apps and email links.

May import: platform, accounts' models, email, values.
"""
