"""Reflex state classes: thin orchestrators, one module per page area."""
