"""Feedback models (drafts, publishes, comment bank). Filled in by the feedback feature."""
