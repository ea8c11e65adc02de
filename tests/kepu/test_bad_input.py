"""Bad input through the real commands: one clear line naming file:line and the field, exit
status 2, nothing stored from a bad file (a real DuckDB file under a temporary KEPU_HOME).

The commands run in this process (kepu.cli.main, as the `kepu` script does) to keep the many
cases fast; a traceback would escape as an exception and fail the test.
"""

from __future__ import annotations

import json
import sys

import pytest

from kepu.cli import main
from store import Database

SURROGATE = '{"id": "a", "text": "Vaccines \\ud800 are tested."}\n'


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("KEPU_HOME", str(home))
    monkeypatch.setenv("KEPU_EMBEDDER", "hashing")
    monkeypatch.setenv("KEPU_DB_LOCK_WAIT_S", "5")
    return home


def kepu(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["kepu", *args])
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    return done.value.code, captured.out + captured.err


def _count(home, table: str) -> int:
    path = home / "kepu.duckdb"
    if not path.exists():
        return 0
    with Database(path) as db:
        return db.scalar(f"SELECT count(*) FROM {table}")


def _error_line(output: str) -> str:
    [line] = [x for x in output.splitlines() if x.startswith("error:")]
    return line


def _lines(*rows: object) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


POST = {"id": "a", "text": "Vaccines are tested in large trials before use."}

FLAG_CASES = [
    ("surrogate", SURROGATE.encode(), "p.jsonl:1: field 'text' holds a lone surrogate (\\ud800)"),
    ("gbk", _lines(POST).encode() + '{"id": "b", "text": "隔夜菜会致癌"}\n'.encode("gbk"),
     "p.jsonl:2: not UTF-8 text (byte 0xb8 at column 22)"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "p.jsonl:1: not UTF-8 text (byte 0x89"),
    ("id object", _lines({"id": {"a": 1}, "text": "x"}).encode(),
     "p.jsonl:1: 'id' must be a string or an integer, got an object"),
    ("text number", _lines({"id": "a", "text": 123}).encode(),
     "p.jsonl:1: 'text' must be a string, got a number (123)"),
    ("duplicate id", _lines(POST, {**POST, "id": "b"}, POST).encode(),
     "p.jsonl:3: duplicate post id 'a' (first on line 1)"),
    ("too long", _lines({"id": "a", "text": "x" * 61}).encode(),
     "p.jsonl:1: 'text' is 61 characters long, over the limit of 60 (KEPU_MAX_POST_CHARS)"),
]


@pytest.mark.parametrize(("case", "content", "message"), FLAG_CASES, ids=[c[0] for c in FLAG_CASES])
def test_flag_names_the_bad_line(home, tmp_path, monkeypatch, capsys, case, content, message):
    monkeypatch.setenv("KEPU_MAX_POST_CHARS", "60")
    posts = tmp_path / "p.jsonl"
    posts.write_bytes(content)
    code, output = kepu(monkeypatch, capsys, "flag", "-i", str(posts), "-o",
                        str(tmp_path / "f.jsonl"))
    assert code == 2 and message in _error_line(output)
    assert not (tmp_path / "f.jsonl").exists()


def test_flag_into_a_missing_folder_fails_before_any_scoring(home, tmp_path, monkeypatch,
                                                              capsys):
    posts = tmp_path / "p.jsonl"
    posts.write_text(_lines(POST))
    out = tmp_path / "no-such-folder" / "flags.jsonl"
    code, output = kepu(monkeypatch, capsys, "flag", "-i", str(posts), "-o", str(out))
    assert code == 2 and f"{out}: folder {out.parent} does not exist" in _error_line(output)
    assert not (home / "kepu.duckdb").exists()  # the claims base was not even loaded


def test_line_separators_inside_json_strings_are_text(home, tmp_path, monkeypatch, capsys):
    posts = tmp_path / "p.jsonl"
    posts.write_text(_lines({"id": "a", "text": "Vaccines\u2028are tested in large trials."},
                            {"id": "b", "text": "Measles\u0085returns when coverage drops."}),
                     encoding="utf-8")
    code, output = kepu(monkeypatch, capsys, "flag", "-i", str(posts), "-o",
                        str(tmp_path / "f.jsonl"))
    assert code == 0, output
    flags = [json.loads(x) for x in (tmp_path / "f.jsonl").read_text().split("\n") if x]
    assert [f["id"] for f in flags] == ["a", "b"]


def test_import_posts_stores_nothing_from_a_file_bad_on_line_11(home, tmp_path, monkeypatch,
                                                                 capsys):
    rows = [{"id": str(i), "text": f"Post number {i} about vaccine trials and their size."}
            for i in range(20)]
    dump = tmp_path / "dump.jsonl"
    text = _lines(*rows).split("\n")
    text[10] = SURROGATE.strip().replace('"a"', '"ten"')
    dump.write_text("\n".join(text), encoding="utf-8")
    code, output = kepu(monkeypatch, capsys, "import-posts", str(dump), "--source-id", "s",
                        "--platform", "weibo")
    assert code == 2 and "dump.jsonl:11: field 'text' holds a lone surrogate" in output
    assert _count(home, "posts") == 0


@pytest.mark.parametrize(("content", "message"), [
    (_lines({"id": "1", "text": 123}), "d.jsonl:1: 'text' must be a string, got a number"),
    (_lines({"id": "1", "text": "ok", "url": 123}), "d.jsonl:1: 'url' must be a string"),
    (_lines({"id": "1", "text": "ok"}, {"id": 1, "text": "again"}),
     "d.jsonl:2: duplicate post 'dump://weibo/s/1' (first on line 1)"),
])
def test_import_posts_types_and_duplicates(home, tmp_path, monkeypatch, capsys, content,
                                           message):
    dump = tmp_path / "d.jsonl"
    dump.write_text(content)
    code, output = kepu(monkeypatch, capsys, "import-posts", str(dump), "--source-id", "s",
                        "--platform", "weibo")
    assert code == 2 and message in _error_line(output)
    assert _count(home, "posts") == 0


def _review(url: object = "https://fc.test/1", rating: object = None, **extra: object) -> dict:
    return {"@type": "ClaimReview", "claimReviewed": "5G spreads viruses.", "url": url,
            "reviewRating": {"@type": "Rating", "alternateName": "False"} if rating is None
            else rating, "about": "health", **extra}


def _document(*reviews: dict) -> str:
    return json.dumps({"@context": "https://schema.org", "@graph": list(reviews)}, indent=1)


CLAIM_CASES = [
    ("rating string", "r.json", _document(_review(), _review("https://fc.test/2", "False")),
     "r.json:14: 'reviewRating' must be an object, got a string"),
    ("rating list", "r.json", _document(_review(rating=["False"])),
     "r.json:4: 'reviewRating' must be an object, got a list"),
    ("url number", "r.json", _document(_review(url=123)),
     "r.json:4: 'url' must be a string, got a number (123)"),
    ("claimReviewed list", "r.jsonl", _lines(_review(claimReviewed=["a", "b"])),
     "r.jsonl:1: 'claimReviewed' must be a string, got a list"),
    ("same url twice", "r.jsonl", _lines(_review(), _review(claimReviewed="Other claim.")),
     "r.jsonl:2: duplicate ClaimReview of 'https://fc.test/1' (first on line 1)"),
    ("claim id object", "c.jsonl", _lines({"id": {"x": 1}, "text": "t", "lang": "en",
                                           "verdict": "false", "topic": "health",
                                           "explanation": "e", "source": "s"}),
     "c.jsonl:1: 'id' must be a string or an integer, got an object"),
    ("claim too long", "c.jsonl", _lines({"id": "k", "text": "y" * 81, "lang": "en",
                                          "verdict": "false", "topic": "health",
                                          "explanation": "e", "source": "s"}),
     "c.jsonl:1: 'text' is 81 characters long, over the limit of 80 (KEPU_MAX_CLAIM_CHARS)"),
    ("claim gbk", "c.csv", None, "c.csv:2: not UTF-8 text"),
]


@pytest.mark.parametrize(("case", "name", "content", "message"), CLAIM_CASES,
                         ids=[c[0] for c in CLAIM_CASES])
def test_claims_import_names_the_bad_line(home, tmp_path, monkeypatch, capsys, case, name,
                                          content, message):
    monkeypatch.setenv("KEPU_MAX_CLAIM_CHARS", "80")
    path = tmp_path / name
    if content is None:
        path.write_bytes("id,text,lang,verdict,topic,explanation,source\n"
                         "k,隔夜菜会致癌,zh,false,food_safety,冷藏,卫健委\n".encode("gbk"))
    else:
        path.write_text(content, encoding="utf-8")
    code, output = kepu(monkeypatch, capsys, "claims", "import", str(path))
    assert code == 2 and message in _error_line(output)
    assert _count(home, "claims") == 0


def test_claimreview_lines_with_line_separators_import(home, tmp_path, monkeypatch, capsys):
    path = tmp_path / "r.jsonl"
    path.write_text(_lines(_review(claimReviewed="5G\u2028spreads viruses."),
                           _review("https://fc.test/2", claimReviewed="Masks\u0085cause harm.")),
                    encoding="utf-8")
    code, output = kepu(monkeypatch, capsys, "claims", "import", str(path))
    assert code == 0, output
    assert _count(home, "claims") == 2


SOURCE = {"id": "s1", "url": "http://127.0.0.1:9/feed.xml", "kind": "feed"}
SOURCE_CASES = [
    ({**SOURCE, "interval_minutes": "abc"}, "'interval_minutes' must be an integer, got a string"),
    ({**SOURCE, "depth": None}, "'depth' must be an integer, got null"),
    ({**SOURCE, "audience": "lots"}, "'audience' must be an integer, got a string"),
    ({**SOURCE, "url": 123}, "'url' must be a string, got a number (123)"),
    ({**SOURCE, "intervall": 5}, "unknown field(s) intervall"),
    ({**SOURCE, "interval_minutes": True}, "'interval_minutes' must be an integer, got true/false"),
]


@pytest.mark.parametrize(("row", "message"), SOURCE_CASES)
def test_crawl_sources_types(home, tmp_path, monkeypatch, capsys, row, message):
    sources = tmp_path / "s.jsonl"
    sources.write_text("# comment line\n" + _lines(row))
    code, output = kepu(monkeypatch, capsys, "crawl", "--sources", str(sources))
    assert code == 2 and f"s.jsonl:2: {message}" in _error_line(output)
    assert _count(home, "sources") == 0 and _count(home, "crawl_runs") == 0


def test_crawl_sources_duplicate_id_names_both_lines(home, tmp_path, monkeypatch, capsys):
    sources = tmp_path / "s.jsonl"
    sources.write_text(_lines(SOURCE, {**SOURCE, "id": "s2"}, {**SOURCE, "kind": "page"}))
    code, output = kepu(monkeypatch, capsys, "crawl", "--sources", str(sources))
    assert code == 2
    assert "s.jsonl:3: duplicate source id 's1' (first on line 1)" in _error_line(output)


@pytest.mark.parametrize(("week", "message"), [
    ("9999-W52", "--week: 9999-W52: weeks of the years 1900 to 9998 only"),
    ("2026-W47\n", "expected an ISO week like 2026-W47, got '2026-W47\\n'"),
    ("２０２６-W47", "expected an ISO week like 2026-W47, got '２０２６-W47'"),
    ("2025-W53", "no such week '2025-W53'"),
    ("../../x-W47", "expected an ISO week"),
])
def test_report_week_is_checked_before_any_file_is_named(home, monkeypatch, capsys, week,
                                                         message):
    code, output = kepu(monkeypatch, capsys, "report", "--week", week)
    assert code == 2 and message in _error_line(output)
    assert not (home / "reports").exists() or not any((home / "reports").iterdir())


def test_score_with_posts_but_no_claims_is_a_clear_error(home, tmp_path, monkeypatch, capsys):
    dump = tmp_path / "d.jsonl"
    dump.write_text(_lines({"id": "1", "text": "Vaccines cause autism, a post says."}))
    assert kepu(monkeypatch, capsys, "import-posts", str(dump), "--source-id", "s",
                "--platform", "weibo")[0] == 0
    code, output = kepu(monkeypatch, capsys, "score")
    assert code == 2
    assert "1 posts to score but no claims: import a claims base first" in _error_line(output)
    assert _count(home, "flags") == 0
