"""kepu-review: a scientific-accuracy review pipeline for online popular-science content.

This package is the top floor: the command line (`cli`, `commands`), `kepu demo`, and the use
cases grouped by the user they serve (`screening`, `reviewing`, `research`) with `evaluation`
beside them. Everything they stand on lives in the packages below (common, store, pipeline,
crawlers, models, review_queue, flows); none of those imports this one.
"""

__version__ = "0.1.0"
