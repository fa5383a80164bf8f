"""Platform: what every domain leans on — audit log, clock, outbox and its runner, housekeeping,
fault points, derived keys, link tokens, branding, demo seed, QR codes, rate limits.

May import: models, db, config, email, values. Never another services package (they import it).
"""
