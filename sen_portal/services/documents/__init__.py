"""Documents: streamed uploads checked by content, private storage, virus scanning and
authorised downloads.

May import: platform.
"""
