"""A post without punctuation costs bounded work: the scorer embeds at most 40 sentences of at
most max_sentence_chars each (a 1 MB post was one 1 MB sentence: minutes and gigabytes)."""

from __future__ import annotations

from common.records import Post
from kepu.screening.scoring import build_flagger
from store.claims import save_claims


def test_long_sentences_are_cut_before_embedding(settings, db, tiny_claims, counting_embedder):
    save_claims(db, tiny_claims)
    limited = settings.model_copy(update={"max_sentence_chars": 100})
    flagger = build_flagger(limited, db, counting_embedder)
    counting_embedder.calls = 0
    text = "vaccines cause autism in children say some " * 25_000  # ~1 MB, no full stop
    sentences, vectors, _ = flagger.matched(Post(id="p", text=text))
    assert 0 < len(sentences) <= 40 and max(len(s) for s in sentences) <= 100
    assert counting_embedder.calls == len(sentences) == len(vectors)
    [flag] = flagger.flag([Post(id="p", text=text)])
    assert flag.post_id == "p"
