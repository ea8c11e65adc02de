import json

import pytest

from common.errors import InputError
from pipeline.claimreview import read_claimreviews, verdict_from_rating

REVIEW = {
    "@context": "https://schema.org", "@type": "ClaimReview",
    "claimReviewed": "Drinking hot water kills the coronavirus.",
    "reviewRating": {"@type": "Rating", "alternateName": "False"},
    "url": "https://factcheck.example/hot-water", "author": {"@type": "Organization",
                                                             "name": "Example Checks"},
    "datePublished": "2026-03-01", "about": "health",
}


@pytest.mark.parametrize("rating, verdict", [
    ("False", "false"), ("Pants on Fire!", "false"), ("Mostly False", "misleading"),
    ("Missing context", "misleading"), ("True", "true"), ("谣言", "false"), ("片面", "misleading"),
    ("Who knows", None),
])
def test_rating_mapping(rating, verdict):
    assert verdict_from_rating(rating) == verdict


def test_graph_and_fields(tmp_path):
    path = tmp_path / "reviews.jsonld"
    second = {**REVIEW, "claimReviewed": "隔夜菜会致癌", "url": "https://x.example/2",
              "reviewRating": {"textualRating": "误导"}, "about": None}
    path.write_text(json.dumps({"@graph": [REVIEW, second]}, ensure_ascii=False))
    claims = read_claimreviews(path, default_topic="food_safety")
    assert [(c.lang, c.verdict, c.topic) for c in claims] == [
        ("en", "false", "health"), ("zh", "misleading", "food_safety")]
    assert "Example Checks" in claims[0].source and "hot-water" in claims[0].source
    assert claims[0].id == read_claimreviews(path, "food_safety")[0].id  # stable ids


def test_bad_review_names_its_position(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps([REVIEW, {**REVIEW, "reviewRating": {"alternateName": "??"}}]))
    with pytest.raises(InputError, match=r"ClaimReview #2: unknown rating"):
        read_claimreviews(path)
    path.write_text(json.dumps({**REVIEW, "about": "sports"}))
    with pytest.raises(InputError, match="no topic"):
        read_claimreviews(path)
