"""Expert panels by field, read from a TOML panels file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from common.errors import InputError
from common.records import TOPICS, Panel

GENERAL = "general"


def read_panels(path: Path) -> dict[str, Panel]:
    """Panels keyed by topic id; every field in DESIGN.md plus `general` must be present."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"cannot read panels: {exc}") from exc
    panels: dict[str, Panel] = {}
    for topic, body in data.get("panels", {}).items():
        experts = body.get("experts", [])
        if not experts:
            raise InputError(str(path), f"panel {topic!r} has no experts")
        panels[topic] = Panel(
            topic=topic,
            experts=tuple(e["id"] for e in experts),
            seniors=tuple(body.get("seniors", [])),
            languages=tuple(sorted({lang for e in experts for lang in e.get("languages", [])})),
        )
    missing = [t for t in (*TOPICS, GENERAL) if t not in panels]
    if missing:
        raise InputError(str(path), f"no panel for: {', '.join(missing)}")
    return panels


def route(topic: str | None, panels: dict[str, Panel]) -> Panel:
    """The panel that reviews a post of this topic (general when the topic is unknown)."""
    return panels.get(topic or GENERAL, panels[GENERAL])


def read_expert_languages(path: Path) -> dict[str, tuple[str, ...]]:
    """The languages each expert reviews (used to assign reviewers who can read the post)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"cannot read panels: {exc}") from exc
    return {e["id"]: tuple(e.get("languages", ())) for body in data.get("panels", {}).values()
            for e in body.get("experts", [])}
