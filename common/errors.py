"""One exception hierarchy; every error names the input and the place (file:line, URL, id)."""


class KepuError(Exception):
    """Base of every error kepu-review raises on purpose; the CLI prints it as one line."""


class InputError(KepuError):
    """Bad user input: a file, a line, a field."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class StoreError(KepuError):
    """A DuckDB failure, wrapped once by the store adapter."""


class CrawlError(KepuError):
    """A crawl that could not run at all (single page failures are recorded, not raised)."""


class ModelError(KepuError):
    """A model that cannot be loaded, trained or promoted."""


class ReviewError(KepuError):
    """A review rule violated, or the review backend failing."""
