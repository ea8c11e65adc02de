"""DuckDB storage: the only package that writes SQL."""

from kepu.store.db import Database

__all__ = ["Database"]
