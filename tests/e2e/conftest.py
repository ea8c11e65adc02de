"""End-to-end fixtures: the real multilingual model, a real crawl of the sample site on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from common.settings import load_settings
from crawlers.sample_server import serve_site
from kepu.demo import write_sample_sources
from store import Database

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="session")
def labels() -> dict[str, dict]:
    return json.loads((DATA / "site" / "labels.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def e2e_settings(tmp_path_factory):
    home = tmp_path_factory.mktemp("e2e")
    s = load_settings(home=home, allow_private_addresses=True, demo_port=0)
    s.export_runtime_env()
    return s


@pytest.fixture(scope="session")
def site_url():
    with serve_site(DATA / "site") as base:
        yield base


@pytest.fixture(scope="session")
def crawled(e2e_settings, site_url):
    """The sample site crawled once into a fresh DuckDB file, with the bundled claims base."""
    from kepu.screening.claims import import_claims
    from kepu.screening.crawling import crawl

    import_claims(e2e_settings, DATA / "claims" / "claims.jsonl")
    sources = write_sample_sources(site_url, e2e_settings.home / "sources.jsonl")
    stats = crawl(e2e_settings, sources)
    return sources, stats


@pytest.fixture(scope="session")
def scored(e2e_settings, crawled):
    from kepu.screening.scoring import score_posts
    from pipeline.embedders import load_embedder

    with Database(e2e_settings.database) as db:
        return score_posts(e2e_settings, db, load_embedder(e2e_settings))
