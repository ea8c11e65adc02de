"""kepu-review: a scientific-accuracy review pipeline for online popular-science content.

This package is the top floor: the command line (`cli`, `commands`), `kepu demo`, and the use
cases grouped by the user they serve (`screening`, `reviewing`, `research`) with `evaluation`
beside them. They stand on common, store, pipeline, crawlers, models and review_queue, which
never import kepu; flows (Prefect, the weekly report) drives the use cases and the CLI drives
flows (tests/test_architecture.py holds the order).
"""

__version__ = "0.1.0"
