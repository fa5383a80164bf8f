"""Domain logic as plain, typed functions. Never imports Reflex."""
