"""The post classifier: training, evaluation, versioned storage and gated promotion."""
