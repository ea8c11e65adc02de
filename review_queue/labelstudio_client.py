"""The one Label Studio adapter: owns the SDK client, maps its errors and dicts to ours.

Talks to a Label Studio server (open-source edition) through label-studio-sdk 2.x with the API
token from settings; nothing else in kepu-review imports the SDK. Tasks and annotations are read
through the task API (no exports: an export leaves a file in Label Studio's data folder).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from common.errors import ReviewError
from review_queue.backend import Annotation, BackendUnavailable, RemoteTask

log = logging.getLogger(__name__)
PAGE_SIZE = 100


class LabelStudioBackend:
    """Projects, task import, task reads and deletes on one Label Studio server."""

    name = "labelstudio"

    def __init__(self, url: str, token: str, timeout_s: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.client = LabelStudio(base_url=self.url, api_key=token, timeout=timeout_s)
        self._me: int | None = None

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
            if exc.status_code in (401, 403):
                raise ReviewError(f"Label Studio at {self.url} refused the API token "
                                  f"(HTTP {exc.status_code}, {what}): check "
                                  "KEPU_LABELSTUDIO_TOKEN (the admin's legacy token)") from exc
            raise ReviewError(f"Label Studio at {self.url} refused {what}: "
                              f"HTTP {exc.status_code} {str(exc.body)[:200]}") from exc

    def check_access(self) -> str:
        with self._calling("token check"):
            me = self.client.users.whoami()
        self._me = me.id
        return str(me.email)

    def ensure_project(self, title: str, label_config: str, description: str = "") -> int:
        """Only a project kepu's own account created counts: any member could create one with
        the same title."""
        if self._me is None:
            self.check_access()
        with self._calling(f"project {title!r}"):
            for project in self.client.projects.list(title=title):
                creator = project.created_by.id if project.created_by else None
                if project.title == title and project.id is not None and creator == self._me:
                    return int(project.id)
            created = self.client.projects.create(
                title=title, label_config=label_config, maximum_annotations=1,
                show_collab_predictions=True, show_annotation_history=False,
                description=description or "kepu-review expert review; one task per round")
            log.info("created Label Studio project %s (%s)", created.id, title)
            return int(created.id)  # type: ignore[arg-type]

    def tasks(self, project_id: int) -> list[RemoteTask] | None:
        with self._calling(f"tasks of project {project_id}"):
            try:
                self.client.projects.get(id=project_id)
            except ApiError as exc:
                if exc.status_code == 404:
                    return None
                raise
            emails = {u.id: u.email for u in self.client.users.list()}
            pager = self.client.tasks.list(project=project_id, fields="all", page_size=PAGE_SIZE)
            return [self._task(t.id, t.data or {}, t.annotations or [], emails)
                    for t in pager if t.id is not None]

    @staticmethod
    def _task(task_id: int, data: Mapping[str, Any], annotations: Sequence[Any],
              emails: Mapping[int, str]) -> RemoteTask:
        def who(value: Any) -> str:
            user_id = value.get("id") if isinstance(value, dict) else value
            if user_id is None:
                return ""
            return emails.get(user_id) or f"user:{user_id}"

        found = []
        for ann in annotations:
            ann = ann if isinstance(ann, dict) else ann.dict()
            found.append(Annotation(
                remote_task_id=int(task_id), annotation_id=str(ann["id"]),
                completed_by=who(ann.get("completed_by")), updated_by=who(ann.get("updated_by")),
                result=tuple(ann.get("result") or ()), updated_at=str(ann.get("updated_at", "")),
                cancelled=bool(ann.get("was_cancelled"))))
        return RemoteTask(int(task_id), dict(data), tuple(found))

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

    def delete_task(self, remote_task_id: int) -> bool:
        with self._calling(f"delete task {remote_task_id}"):
            try:
                self.client.tasks.delete(id=str(remote_task_id))
            except ApiError as exc:
                if exc.status_code == 404:
                    return False
                raise
        return True
