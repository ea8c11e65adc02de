"""DuckDB storage: the only package that writes SQL."""

from store.db import Database

__all__ = ["Database"]
