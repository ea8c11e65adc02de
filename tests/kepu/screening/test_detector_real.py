"""The bundled pseudo-science detector with the real multilingual embedder, through the path
`kepu flag` takes (bundled claims base), on posts written for this test (none of them in the
detector's training posts or the claims base)."""

import pytest

from common.records import Post
from common.settings import load_settings
from kepu.screening.claims import ensure_claims
from kepu.screening.scoring import build_flagger
from pipeline.embedders import load_embedder
from store import Database

PSEUDO = [
    Post("ps-zh", "老中医私下透露的秘方：把生鸡蛋清敷在头顶睡一晚，头皮里的毒素全部排出，"
         "脱发和白发一个月彻底逆转，百分之百有效！医院不会告诉你，赶紧转给家人。", lang="zh"),
    Post("ps-en", "Doctors won't tell you this: tape raw onion slices to your feet overnight and "
         "they pull every toxin out of your body. A retired professor says it reverses diabetes "
         "in two weeks, 100% natural with zero side effects. Share before it gets deleted!",
         lang="en"),
]
CALM = [
    Post("alarming-zh", "提醒家长：儿童溺水往往悄无声息，几十秒内就可能沉下去，不会挣扎呼救。"
         "带孩子去游泳时，请一直在伸手可及的距离内看护，不要低头看手机。", lang="zh"),
    Post("alarming-en", "Sepsis kills around eleven million people worldwide every year. Fast "
         "breathing, confusion and mottled skin during an infection need emergency care at "
         "once: every hour of delay lowers the chance of survival.", lang="en"),
    Post("off-zh", "周末和朋友去爬了香山，红叶正好，山顶风很大。下山吃了一碗热乎乎的卤煮，"
         "完美的一天。", lang="zh"),
    Post("off-en", "Our book club picked a 900-page fantasy novel this month. Wish us luck, we "
         "meet on Thursday and nobody has finished chapter two.", lang="en"),
]


@pytest.fixture(scope="module")
def flags(tmp_path_factory):
    settings = load_settings(home=tmp_path_factory.mktemp("detector"))
    settings.export_runtime_env()
    ensure_claims(settings)
    with Database(settings.database) as db:
        flagger = build_flagger(settings, db, load_embedder(settings))
        assert flagger.detector is not None, "the bundled detector fits the default embedder"
        return {f.post_id: f for f in flagger.flag(PSEUDO + CALM)}


@pytest.mark.parametrize("post", PSEUDO, ids=lambda p: p.id)
def test_clear_pseudo_science_is_flagged_by_the_detector(flags, post):
    flag = flags[post.id]
    assert flag.flagged and flag.basis == "detector"
    assert flag.reason.startswith("probable pseudo-science, no known claim")
    assert flag.detector_score is not None and flag.detector_score >= 0.5
    assert "cues:" in flag.reason and "wording and embedding only" not in flag.reason


@pytest.mark.parametrize("post", CALM, ids=lambda p: p.id)
def test_alarming_facts_and_off_topic_posts_are_not_flagged(flags, post):
    flag = flags[post.id]
    assert not flag.flagged, flag.reason
    assert flag.detector_score is not None and flag.detector_score < 0.5
