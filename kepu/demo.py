"""`kepu demo`: the whole pipeline on the bundled sample site, served on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from common.settings import Settings
from crawlers.sample_server import serve_site


def write_sample_sources(base_url: str, path: Path) -> Path:
    """The sources file for the sample site: its RSS feed, its sitemap index and its home page."""
    sources = [
        {"id": "sample-feed", "url": f"{base_url}/feed.xml", "kind": "feed", "platform": "blog",
         "audience": 20000},
        {"id": "sample-sitemap", "url": f"{base_url}/sitemap.xml", "kind": "sitemap",
         "platform": "news", "audience": 50000},
        {"id": "sample-home", "url": f"{base_url}/index.html", "kind": "page",
         "platform": "forum", "audience": 5000},
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(s) for s in sources) + "\n", encoding="utf-8")
    return path


def run_demo(settings: Settings, lang: str = "zh") -> dict[str, object]:
    """Serve the sample site, then run the pipeline flow against it (crawling loopback only here)."""
    from flows.pipeline import pipeline_flow

    demo_settings = settings.model_copy(update={"allow_private_addresses": True})
    demo_settings = demo_settings.without_secrets()  # a flow parameter: stored by Prefect
    with serve_site(settings.data_dir / "site", settings.demo_port) as base_url:
        sources = write_sample_sources(base_url, settings.home / "sample-sources.jsonl")
        return pipeline_flow(demo_settings, sources, settings.data_dir / "claims" / "claims.jsonl",
                             lang=lang)
