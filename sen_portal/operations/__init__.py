"""Operations: rendering the deployment files, backups and restores, metrics for monitoring."""
