"""Turn the flagger's raw score into a probability that the post asserts a false or misleading
claim, so that a score of 0.8 means "about four in five such posts are myth posts".

The raw score is a hand-built ordering (asserted myths 0.55–1.0, everything else below 0.4);
Platt scaling — one slope and one offset — maps it to a probability fitted on our labelled
development posts. A calibration belongs to one embedder and one stance mode (trained model or
rules), because both shape the raw scores; the flagger uses it only with those. Plain JSON, no
pickle.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from common.errors import ModelError

FILE = "calibration.json"


@dataclass(frozen=True)
class ScoreCalibration:
    slope: float
    intercept: float
    embedder: str
    stance: str      # "model" or "rules": the stance mode the raw scores came from
    version: str

    def probability(self, raw: float) -> float:
        z = max(min(self.slope * raw + self.intercept, 50.0), -50.0)
        return 1.0 / (1.0 + math.exp(-z))

    def save(self, directory: Path, card: dict[str, object]) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        full = {**card, "slope": self.slope, "intercept": self.intercept,
                "embedder": self.embedder, "stance": self.stance, "version": self.version}
        (directory / FILE).write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path) -> ScoreCalibration:
        path = directory / FILE
        if not path.exists():
            raise ModelError(f"{path}: no score calibration here")
        try:
            card = json.loads(path.read_text(encoding="utf-8"))
            return cls(float(card["slope"]), float(card["intercept"]), str(card["embedder"]),
                       str(card["stance"]), str(card["version"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}: unreadable score calibration: {exc!r}") from exc
