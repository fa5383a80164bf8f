"""Email: pure message builders (templates) and transports (file, SMTP, SendGrid)."""
