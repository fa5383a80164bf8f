"""Backend HTTP routes mounted beside Reflex through ``api_transformer``."""
