"""Which examples a training run sees: the public datasets' rows plus expert decisions."""

from __future__ import annotations

from collections.abc import Sequence

from common.settings import Settings
from models.datasets import Example, load_datasets
from models.expert import expert_examples_from_rows
from store import Database
from store.models import expert_examples


def gather_examples(settings: Settings, db: Database, datasets: Sequence[str] | None = None,
                    train_limit: int | None = None) -> list[Example]:
    """Public dataset examples plus expert decisions; `train_limit` caps train rows per dataset
    (the newest ones are kept) for budget runs; dev and test are never cut."""
    examples = load_datasets(settings.datasets_dir, datasets or settings.classifier_datasets)
    examples += expert_examples_from_rows(expert_examples(db))
    if train_limit is None:
        return examples
    kept, seen = [], {}
    for e in reversed(examples):
        if e.split == "train":
            seen[e.dataset] = seen.get(e.dataset, 0) + 1
            if seen[e.dataset] > train_limit:
                continue
        kept.append(e)
    return kept[::-1]
