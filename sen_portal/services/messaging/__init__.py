"""Portal messages: threads per request, who may read them, attachments and the throttled
'a message is waiting' alert.

May import: platform, documents, email.
"""
