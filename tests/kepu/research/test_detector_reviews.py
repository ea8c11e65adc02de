"""Reviewers' verdicts train the detector: `kepu train-detector --extra reviews` reads them."""

from datetime import UTC, datetime

from kepu.research.detector import reviewed_posts, train_detector
from pipeline.detector import PseudoscienceDetector
from pipeline.embedders import HashingEmbedder
from store import Database

VERDICTS = [
    ("p1", "量子水杯能激活细胞，喝一周排毒养颜，医院不会告诉你。", 1, "confirmed"),
    ("p2", "Negative ions from this bracelet cure anxiety, doctors hide it.", 1, "confirmed"),
    ("p3", "流感疫苗每年需要重新接种，因为病毒会变异。", 0, "false_positive"),
]


def _store_verdicts(settings) -> None:
    with Database(settings.database) as db:
        for post_id, text, label, kind in VERDICTS:
            db.execute("INSERT INTO training_examples (post_id, text, lang, label, verdict, kind, "
                       "source, task_id, decided_at) VALUES (?, ?, 'zh', ?, 'x', ?, 'review', ?, ?)",
                       [post_id, text, label, kind, f"t-{post_id}", datetime.now(UTC)])


def test_reviewed_posts_are_training_rows_never_dev(settings):
    assert reviewed_posts(settings) == []  # a database without reviews adds nothing
    _store_verdicts(settings)
    rows = reviewed_posts(settings)
    assert [(r.text, r.label, r.split) for r in rows] == [(t, lab, "train")
                                                          for _, t, lab, _ in VERDICTS]
    assert {r.kind for r in rows} == {"review-confirmed", "review-false_positive"}
    assert len({r.group for r in rows}) == 3


def test_train_detector_with_reviews_names_them_in_its_card(settings, tmp_path):
    _store_verdicts(settings)
    card = train_detector(settings, HashingEmbedder(), tmp_path / "detector",
                          ("data/detector/posts.jsonl", "reviews"))
    assert card["training_data"]["reviews"]["train"] == 3
    assert card["training_data"]["reviews"]["dev"] == 0
    assert "reviewed posts" in card["training_data"]["reviews"]["licence"]
    assert PseudoscienceDetector.load(tmp_path / "detector").threshold == card["threshold"]
