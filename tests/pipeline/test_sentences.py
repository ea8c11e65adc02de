from pipeline.language import detect_lang
from pipeline.sentences import extract_claims, is_check_worthy, split_sentences


def test_chinese_sentences_split_on_full_stops():
    text = "隔夜菜会致癌吗？专家说不会。冷藏保存就安全！"
    assert split_sentences(text) == ["隔夜菜会致癌吗？", "专家说不会。", "冷藏保存就安全！"]


def test_english_split_keeps_abbreviations():
    text = "Dr. Smith studied 5G. It does not spread viruses! Really? Yes."
    assert split_sentences(text) == ["Dr. Smith studied 5G.", "It does not spread viruses!",
                                     "Really?", "Yes."]


def test_check_worthiness_drops_fragments():
    assert not is_check_worthy("Yes.")
    assert not is_check_worthy("好的。")
    assert is_check_worthy("Vaccines cause autism in young children.")
    assert is_check_worthy("隔夜菜里的亚硝酸盐会致癌。")


def test_extract_claims_puts_title_first_and_dedupes():
    got = extract_claims("Vaccines cause autism in kids", "Vaccines cause autism in kids\nOk.")
    assert got == ["Vaccines cause autism in kids"]


def test_detect_lang():
    assert detect_lang("隔夜菜会致癌，千万别吃") == "zh"
    assert detect_lang("Leftovers cause cancer") == "en"
    assert detect_lang("5G 基站会传播 COVID-19 病毒吗") == "zh"


def test_long_posts_are_read_whole_and_capped_by_checkworthiness_not_position():
    filler = [f"Today I walked the dog number {i} around the quiet park again." for i in range(60)]
    myth = "Scientists proved that drinking bleach cures cancer and kills the virus."
    text = " ".join(filler[:45] + [myth] + filler[45:])
    assert myth in extract_claims("", text)
    capped = extract_claims("", text, limit=10)
    assert len(capped) == 10 and myth in capped
    # the kept sentences stay in post order
    assert capped == [s for s in extract_claims("", text) if s in capped]


def test_text_without_punctuation_is_cut_into_bounded_sentences():
    from pipeline.sentences import MAX_SENTENCES, cut_long, post_sentences

    words = ("vaccine immune study children measles dose doctor risk " * 20_000).strip()
    assert len(words) > 1_000_000
    sentences = post_sentences("", words, max_chars=1_000)
    assert 0 < len(sentences) <= MAX_SENTENCES and all(len(s) <= 1_000 for s in sentences)
    assert words.startswith(sentences[0])
    zh = "疫苗免疫研究儿童麻疹剂量" * 1_000
    pieces = cut_long(zh, 500)
    assert "".join(pieces) == zh and [len(p) for p in pieces[:2]] == [500, 500]
    spaced = cut_long("aaaa bbbb cccc dddd", 10)
    assert "".join(spaced) == "aaaa bbbb cccc dddd" and spaced[0] == "aaaa bbbb"
