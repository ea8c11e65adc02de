"""kepu-review: a scientific-accuracy review pipeline for online popular-science content."""

__version__ = "0.1.0"
