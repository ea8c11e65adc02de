"""Prefect flows that run the pipeline, and the weekly trend summary for authorities."""
