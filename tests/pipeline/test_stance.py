import pytest

from common.records import Stance
from pipeline.stance import decide_stance, post_stance

CLAIM_EN = "Vaccines cause autism."
CLAIM_ZH = "隔夜菜会致癌。"


@pytest.mark.parametrize("sentence, label", [
    ("Vaccines cause autism, and doctors hide it.", "asserts"),
    ("The claim that vaccines cause autism is a myth.", "debunks"),
    ("Vaccines do not cause autism; studies of millions show this.", "debunks"),
    ("Vaccines doesn't cause autism, the data show.", "debunks"),
    ("Don't let them vaccinate your child: vaccines cause autism.", "asserts"),
    ("Do vaccines cause autism?", "neutral"),
    ("Some people believe that vaccines cause autism.", "neutral"),
    ("An old chain email says vaccines cause autism.", "neutral"),
    ("Why else would they hide that vaccines cause autism?", "asserts"),
    ("Every kid I know got sick right after the shots. Doesn't that tell you something?",
     "asserts"),
    ("It's not because of vaccines that autism is diagnosed more often.", "debunks"),
])
def test_english_stance(sentence, label):
    # An imperative "don't" is a warning in myth posts, not a refutation.
    assert decide_stance(sentence, CLAIM_EN).label == label


@pytest.mark.parametrize("sentence, label", [
    ("隔夜菜里的亚硝酸盐会让人得癌症，千万不能吃！", "asserts"),
    ("“吃隔夜菜会致癌”是谣言。", "debunks"),
    ("冷藏的隔夜菜并不会致癌。", "debunks"),
    ("隔夜菜到底会不会致癌吗？", "neutral"),
    ("网上流传隔夜菜会致癌。", "neutral"),
    ("门诊里常有老人问我，隔夜菜是不是会致癌。", "neutral"),
    ("隔夜菜里全是亚硝酸盐，吃多了还不是要致癌？", "asserts"),
    ("天天说隔夜菜致癌，癌在哪儿呢？", "asserts"),
    ("冷藏隔夜菜和癌症之间没有明确联系。", "debunks"),
    ("剩菜放一夜就有亚硝酸盐，吃了会致癌，这不是常识吗？", "asserts"),
    ("隔夜菜天天吃，能不得癌吗？", "asserts"),
    ("不是说隔夜菜会致癌吗？", "neutral"),
    ("不是很多人以为隔夜菜会致癌吗？", "neutral"),
])
def test_chinese_stance(sentence, label):
    assert decide_stance(sentence, CLAIM_ZH).label == label


A, N = Stance("asserts"), Stance("neutral", "question")


def test_explicit_refutation_or_framing_makes_a_debunk():
    assert post_stance([N, Stance("debunks", "myth"), A]) == "debunks"
    assert post_stance([A, N]) == "asserts"
    assert post_stance([N]) == "neutral"
    assert post_stance([]) == "neutral"
    assert post_stance([A], title="辟谣：隔夜菜不致癌") == "debunks"
    assert post_stance([A], text="Doctors call it a myth, and here is why.") == "debunks"


def test_negation_is_weighed_against_assertions():
    weak = Stance("debunks", "negation")
    assert post_stance([weak, A], [0.52, 0.62]) == "asserts"
    assert post_stance([weak, A], [0.70, 0.55]) == "debunks"


def test_question_answered_no_is_a_debunk():
    assert post_stance([N, A], title="Does 5G spread viruses?", text="No. Radio waves...") \
        == "debunks"
    assert post_stance([N, A], title="隔夜菜能吃吗？", text="不能。隔夜菜会致癌") == "debunks"
    assert post_stance([N, A], title="How to beat a cold?", text="Vitamin C. It works.") \
        == "asserts"


@pytest.mark.parametrize("sentence, following, label", [
    ("Is it true that vaccines cause autism?", " Short answer: yes. The data are hidden.",
     "asserts"),
    ("Do vaccines cause autism?", " I looked into it and yes, they do.", "asserts"),
    ("Do vaccines cause autism?", " No. Studies of millions of children show no link.",
     "debunks"),
    ("Do vaccines cause autism?", " Yesterday I read a long study on that.", "neutral"),
    ("听说隔夜菜会致癌，是真的吗？", "我查了一下，还真是！亚硝酸盐超标。", "asserts"),
    ("隔夜菜会致癌吗？", "不是的。冷藏的剩菜亚硝酸盐很低。", "debunks"),
    ("隔夜菜会致癌吗？", "答：不会。", "debunks"),
    ("隔夜菜会致癌吗？", "", "neutral"),
    # An answer of "no" outweighs a rhetorical form.
    ("难道隔夜菜会致癌吗？", "当然不会。冷藏的剩菜亚硝酸盐很低。", "debunks"),
])
def test_a_question_takes_the_stance_of_its_answer(sentence, following, label):
    claim = CLAIM_ZH if "隔夜菜" in sentence else CLAIM_EN
    assert decide_stance(sentence, claim, following).label == label


def test_text_after_finds_what_follows_a_sentence():
    from pipeline.stance import text_after

    assert text_after("Is it true?", "Eggs", "Is it true? Yes.") == " Yes."
    assert text_after("Eggs", "Eggs", "Is it true? Yes.").startswith("\nIs it true?")
    assert text_after("absent", "", "Is it true? Yes.") == ""
