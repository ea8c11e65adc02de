"""Spiders: each yields PostItem / CrawlFailure items, nothing else."""
