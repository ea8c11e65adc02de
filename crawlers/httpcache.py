"""The HTTP cache on disk, safe against a crawl killed mid-write.

Scrapy's FilesystemCacheStorage writes an entry's files one by one into its folder; a process
killed in between leaves an entry with metadata but a missing, empty or cut-off body, served
afterwards as if it were the page. Here an entry is written into a scratch folder and renamed
into place whole, and an entry that cannot be read is a cache miss (the page is fetched).
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
from pathlib import Path

from scrapy import Spider
from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import Request, Response

log = logging.getLogger(__name__)


class AtomicFilesystemCacheStorage(FilesystemCacheStorage):
    """FilesystemCacheStorage whose entries appear whole or not at all."""

    _writing_to: str | None = None  # the scratch folder while an entry is being written

    def _get_request_path(self, spider: Spider, request: Request) -> str:
        return self._writing_to or super()._get_request_path(spider, request)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        final = Path(self._get_request_path(spider, request))
        scratch = final.with_name(f"{final.name}.writing-{os.getpid()}")
        shutil.rmtree(scratch, ignore_errors=True)
        self._writing_to = str(scratch)
        try:
            super().store_response(spider, request, response)
        finally:
            self._writing_to = None
        old = final.with_name(f"{final.name}.old-{os.getpid()}")
        if final.exists():
            final.rename(old)  # killed here: no entry, a cache miss, the page is fetched
        scratch.rename(final)
        shutil.rmtree(old, ignore_errors=True)

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        try:
            return super().retrieve_response(spider, request)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, KeyError) as exc:
            log.warning("unreadable cache entry for %s (%s): fetching it", request.url, exc)
            return None
