"""Check-in models (weekly responses). Filled in by the check-in feature."""
