"""The one Label Studio adapter: owns the SDK client, maps its errors and dicts to ours.

Talks to a Label Studio server (open-source edition) through label-studio-sdk 2.x with the API
token from settings; nothing else in kepu-review imports the SDK.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from kepu.errors import ReviewError
from review_queue.backend import Annotation, BackendUnavailable

log = logging.getLogger(__name__)


class LabelStudioBackend:
    """Projects, task import and annotation export on one Label Studio server."""

    name = "labelstudio"

    def __init__(self, url: str, token: str, timeout_s: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.client = LabelStudio(base_url=self.url, api_key=token, timeout=timeout_s)

    @contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        try:
            yield
        except httpx.TransportError as exc:
            raise BackendUnavailable(f"Label Studio at {self.url} unreachable ({what}): "
                                     f"{type(exc).__name__}") from exc
        except ApiError as exc:
            if exc.status_code is not None and exc.status_code >= 500:
                raise BackendUnavailable(f"Label Studio at {self.url} failed ({what}): "
                                         f"HTTP {exc.status_code}") from exc
            raise ReviewError(f"Label Studio at {self.url} refused {what}: "
                              f"HTTP {exc.status_code} {str(exc.body)[:200]}") from exc

    def ensure_project(self, title: str, label_config: str) -> int:
        with self._calling(f"project {title!r}"):
            for project in self.client.projects.list(title=title):
                if project.title == title and project.id is not None:
                    return int(project.id)
            created = self.client.projects.create(
                title=title, label_config=label_config, maximum_annotations=1,
                show_collab_predictions=True, show_annotation_history=False,
                description="kepu-review expert review; one task per review round")
            log.info("created Label Studio project %s (%s)", created.id, title)
            return int(created.id)  # type: ignore[arg-type]

    def imported_rounds(self, project_id: int) -> dict[str, int]:
        with self._calling(f"tasks of project {project_id}"):
            found = {}
            for task in self.client.tasks.list(project=project_id, fields="all"):
                round_id = (task.data or {}).get("round_id")
                if round_id and task.id is not None:
                    found[str(round_id)] = int(task.id)
            return found

    def import_tasks(self, project_id: int, payloads: Sequence[Mapping[str, Any]]) -> list[int]:
        if not payloads:
            return []
        with self._calling(f"import into project {project_id}"):
            response = self.client.projects.import_tasks(
                id=project_id, request=list(payloads), return_task_ids=True)  # type: ignore[arg-type]
        ids = [int(i) for i in (response.task_ids or [])]
        if len(ids) != len(payloads):
            raise ReviewError(f"Label Studio project {project_id}: imported {len(ids)} tasks "
                              f"for {len(payloads)} sent")
        return ids

    def annotations(self, project_id: int) -> list[Annotation]:
        with self._calling(f"export of project {project_id}"):
            emails = {u.id: u.email for u in self.client.users.list()}
            chunks = self.client.projects.exports.download_sync(id=project_id, export_type="JSON")
            tasks = json.loads(b"".join(chunks))
        found = []
        for task in tasks:
            round_id = str((task.get("data") or {}).get("round_id", ""))
            for ann in task.get("annotations", []):
                if ann.get("was_cancelled") or not ann.get("result"):
                    continue
                who = ann.get("completed_by")
                who_id = who.get("id") if isinstance(who, dict) else who
                found.append(Annotation(
                    remote_task_id=int(task["id"]), round_id=round_id,
                    annotation_id=str(ann["id"]), reviewer=emails.get(who_id, f"user:{who_id}"),
                    result=tuple(ann["result"]), updated_at=str(ann.get("updated_at", ""))))
        return found
