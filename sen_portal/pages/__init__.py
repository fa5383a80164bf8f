"""Page functions: UI only, no database code."""
