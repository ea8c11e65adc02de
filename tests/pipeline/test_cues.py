"""The cue lexicon on tiny hand-written texts (zh and en)."""

import numpy as np

from pipeline.cues import CUE_FAMILIES, PRO_FAMILIES, cue_matrix, read_cues


def test_each_pro_family_is_read_in_both_languages():
    zh = read_cues("震惊！权威专家透露量子能量水排毒，百分之百根治，医院不会告诉你，"
                   "扫码下单，99%的人不知道，赶紧转发")
    en = read_cues("SHOCKING: a retired professor says quantum energy water will detox you, "
                   "a miracle cure with zero side effects that Big Pharma buried. Order today, "
                   "99% of people don't know, share this")
    for reading in (zh, en):
        assert set(PRO_FAMILIES) <= set(reading.matched), set(PRO_FAMILIES) - set(reading.matched)
        assert "debunk" not in reading.matched and "sober" not in reading.matched


def test_debunk_and_sober_wording_are_their_own_families():
    reading = read_cues("网传这个说法是谣言，没有科学依据。研究人员建议咨询医生。"
                        "Fact check: no evidence; see a doctor.")
    assert reading.counts[CUE_FAMILIES.index("debunk")] >= 3
    assert reading.counts[CUE_FAMILIES.index("sober")] >= 3
    assert not set(PRO_FAMILIES) & set(reading.matched)


def test_plain_chatter_reads_no_cue_and_features_grow_slowly():
    assert read_cues("周末去爬山，山顶风很大。We had noodles after.").matched == {}
    one, three = cue_matrix(["排毒", "排毒排毒排毒"])
    i = CUE_FAMILIES.index("detox")
    assert np.isclose(one[i], np.log1p(1)) and np.isclose(three[i], np.log1p(3))
    assert cue_matrix([]).shape == (0, len(CUE_FAMILIES))


def test_matched_strings_are_kept_for_the_reason():
    reading = read_cues("This tea flushes out toxins. It cures every disease.")
    assert reading.matched["detox"] == ("flushes out", "toxins")
    assert reading.matched["miracle"] == ("cures every",)
