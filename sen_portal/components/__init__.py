"""Reusable UI: the page shell, form fields and the error summary."""
