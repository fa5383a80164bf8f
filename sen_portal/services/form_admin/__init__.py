"""Form administration: the designer's use cases, outline, versions, import and export.

May import: platform, lookups, forms.
"""
