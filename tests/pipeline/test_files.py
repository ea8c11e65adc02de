import json

import pytest

from common.errors import InputError
from pipeline.claims_file import read_claims
from pipeline.posts_file import read_posts

GOOD = {"id": "k1", "text": "MSG is toxic.", "lang": "en", "verdict": "false",
        "topic": "food_safety", "explanation": "It is not.", "source": "FDA"}


def test_jsonl_claims_round_trip(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + json.dumps({**GOOD, "id": "k2"}) + "\n")
    assert [c.id for c in read_claims(path)] == ["k1", "k2"]


@pytest.mark.parametrize("bad, message", [
    ({**GOOD, "verdict": "maybe"}, "verdict"),
    ({**GOOD, "topic": "astrology"}, "unknown topic"),
    ({k: v for k, v in GOOD.items() if k != "source"}, "missing field(s): source"),
    ({**GOOD, "lang": "fr"}, "lang"),
])
def test_bad_claim_names_file_and_line(tmp_path, bad, message):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(InputError) as err:
        read_claims(path)
    assert f"{path}:2" in str(err.value) and message in str(err.value)


def test_csv_claims_and_bad_json(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,text,lang,verdict,topic,explanation,source\n"
                    "k1,MSG is toxic.,en,false,food_safety,It is not.,FDA\n"
                    "k2,,en,false,food_safety,x,y\n")
    with pytest.raises(InputError, match=r"c\.csv:3: missing field\(s\): text"):
        read_claims(path)
    broken = tmp_path / "b.jsonl"
    broken.write_text(json.dumps(GOOD) + "\n{not json\n")
    with pytest.raises(InputError, match=r"b\.jsonl:2: invalid JSON"):
        read_claims(broken)


def test_read_posts_validates_and_detects_language(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": 1, "text": "隔夜菜会致癌"}) + "\n"
                    + json.dumps({"id": "2", "text": "Hello there", "title": "T"}) + "\n")
    posts = read_posts(path)
    assert [(p.id, p.lang) for p in posts] == [("1", "zh"), ("2", "en")]
    path.write_text(json.dumps({"id": "1", "text": ""}) + "\n")
    with pytest.raises(InputError, match=r"p\.jsonl:1: 'text' is missing or empty"):
        read_posts(path)


def test_claim_variants_from_jsonl_and_csv(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({**GOOD, "variants": ["MSG  poisons you.", "MSG poisons you.",
                                                     "Avoid MSG, it is poison."]}) + "\n")
    assert read_claims(path)[0].variants == ("MSG poisons you.", "Avoid MSG, it is poison.")
    table = tmp_path / "c.csv"
    table.write_text("id,text,lang,verdict,topic,explanation,source,variants\n"
                     "k1,MSG is toxic.,en,false,food_safety,It is not.,FDA,MSG poisons you.|"
                     "Avoid MSG\n"
                     "k2,Sugar makes kids hyper.,en,false,food_safety,It does not.,BMJ,\n")
    claims = read_claims(table)
    assert [c.variants for c in claims] == [("MSG poisons you.", "Avoid MSG"), ()]


@pytest.mark.parametrize("variants, message", [
    ("not a list", None), (["fine", 3], "list of strings"), (["fine", "  "], "empty"),
    ({"a": 1}, "list of strings"), (["x" * 401], "longer than 400"),
])
def test_bad_claim_variants_name_file_and_line(tmp_path, variants, message):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "id": "k2",
                                                           "variants": variants}) + "\n")
    if message is None:  # a plain string is one variant, as in a CSV cell
        assert read_claims(path)[1].variants == ("not a list",)
        return
    with pytest.raises(InputError) as err:
        read_claims(path)
    assert f"{path}:2" in str(err.value) and message in str(err.value)


def test_claim_group_from_jsonl_and_csv_and_bad_groups_name_file_and_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({**GOOD, "group": " msg  toxic "}) + "\n"
                    + json.dumps({**GOOD, "id": "k2", "group": 7}) + "\n"
                    + json.dumps({**GOOD, "id": "k3"}) + "\n")
    assert [c.group for c in read_claims(path)] == ["msg toxic", "7", ""]
    table = tmp_path / "c.csv"
    table.write_text("id,text,lang,verdict,topic,explanation,source,group\n"
                     "k1,MSG is toxic.,en,false,food_safety,It is not.,FDA,msg\n"
                     "k2,味精有毒。,zh,false,food_safety,并非如此。,FDA,msg\n")
    assert [c.group for c in read_claims(table)] == ["msg", "msg"]
    for bad, message in ((["a"], "group must be a string"), (True, "group must be a string"),
                         ("x" * 201, "1 to 200 characters")):
        path.write_text(json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "group": bad}) + "\n")
        with pytest.raises(InputError) as err:
            read_claims(path)
        assert f"{path}:2" in str(err.value) and message in str(err.value)
