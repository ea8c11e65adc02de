"""What a review UI must offer kepu-review (pure interface): projects, task import, and the tasks
as they are now, with their annotations and who wrote and last changed each.

Label Studio implements it (labelstudio_client.py); the review rules never see which UI it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from common.errors import ReviewError


class BackendUnavailable(ReviewError):
    """The review UI cannot be reached; what was not sent stays in the outbox."""


@dataclass(frozen=True)
class Annotation:
    """One answer on one remote task, with the accounts that wrote it and last changed it."""

    remote_task_id: int
    annotation_id: str
    completed_by: str  # the account that created it (e-mail; "user:<id>" when unknown)
    updated_by: str  # the account that last changed it ("" when the UI does not say)
    result: tuple[Mapping[str, Any], ...]
    updated_at: str
    cancelled: bool = False  # skipped

    @property
    def reviewer(self) -> str:
        return self.completed_by

    @property
    def key(self) -> str:
        """Changes when the annotation is edited (a new answer to re-check)."""
        return f"{self.annotation_id}@{self.updated_at}"


@dataclass(frozen=True)
class RemoteTask:
    """A task as the review UI holds it now (its data may differ from what kepu sent)."""

    remote_task_id: int
    data: Mapping[str, Any]
    annotations: tuple[Annotation, ...] = ()


class ReviewBackend(Protocol):
    """The review UI as kepu-review uses it."""

    name: str

    def check_access(self) -> str:
        """The account the token belongs to; ReviewError when the UI refuses the token."""
        ...

    def ensure_project(self, title: str, label_config: str, description: str = "") -> int:
        """The id of kepu's project with this title, created once."""
        ...

    def tasks(self, project_id: int) -> list[RemoteTask] | None:
        """Every task in the project with its annotations; None when the project is gone."""
        ...

    def import_tasks(self, project_id: int, payloads: Sequence[Mapping[str, Any]]) -> list[int]:
        """Import tasks (data + predictions); the remote ids in the same order."""
        ...

    def delete_task(self, remote_task_id: int) -> bool:
        """Remove a task kepu no longer trusts from reviewers' view; False if it was gone."""
        ...
