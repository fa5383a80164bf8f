"""SEN Professional Portal."""
