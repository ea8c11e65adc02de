"""The expert review queue: routing, priority, review rules (pure) and the review backends."""
