"""What a review UI must offer kepu-review (pure interface): projects, task import, annotations.

Label Studio implements it (labelstudio_client.py); the review rules never see which UI it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kepu.errors import ReviewError


class BackendUnavailable(ReviewError):
    """The review UI cannot be reached; what was not sent stays in the outbox."""


@dataclass(frozen=True)
class Annotation:
    """One reviewer's submitted answer on one remote task."""

    remote_task_id: int
    round_id: str
    annotation_id: str
    reviewer: str
    result: tuple[Mapping[str, Any], ...]
    updated_at: str

    @property
    def key(self) -> str:
        """Changes when the reviewer edits the annotation (a new answer to re-check)."""
        return f"{self.annotation_id}@{self.updated_at}"


class ReviewBackend(Protocol):
    """The review UI as kepu-review uses it."""

    name: str

    def ensure_project(self, title: str, label_config: str) -> int:
        """The id of the project with this title, created once."""
        ...

    def imported_rounds(self, project_id: int) -> dict[str, int]:
        """round_id -> remote task id for the rounds already in the project."""
        ...

    def import_tasks(self, project_id: int, payloads: Sequence[Mapping[str, Any]]) -> list[int]:
        """Import tasks (data + predictions); the remote ids in the same order."""
        ...

    def annotations(self, project_id: int) -> list[Annotation]:
        """Every submitted (not skipped) annotation in the project."""
        ...
