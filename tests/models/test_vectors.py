import numpy as np

from models.vectors import VectorCache, post_vectors
from pipeline.embedding import HashingEmbedder
from pipeline.sentences import extract_claims


class CountingEmbedder(HashingEmbedder):
    def __init__(self):
        super().__init__()
        self.seen = 0

    def encode(self, texts, role="passage"):
        self.seen += len(texts)
        return super().encode(texts, role)


TEXTS = ["Vaccines cause autism in children. Doctors hide this from parents every day.",
         "短", "隔夜菜会致癌。冷藏保存的剩菜亚硝酸盐含量远低于危害水平。"]


def test_post_vectors_are_the_flaggers_normalised_sentence_mean():
    emb = HashingEmbedder()
    got = post_vectors(emb, TEXTS)
    sentences = extract_claims("", TEXTS[0])
    mean = emb.encode(sentences, role="query").mean(axis=0)
    assert np.allclose(got[0], mean / np.linalg.norm(mean), atol=1e-6)
    assert np.allclose(got[1], emb.encode(["短"])[0])  # no check-worthy sentence: the text
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_cache_embeds_each_sentence_once_and_survives_a_restart(tmp_path):
    emb = CountingEmbedder()
    first = post_vectors(emb, TEXTS, VectorCache(tmp_path, emb.name))
    seen = emb.seen
    assert seen == 5
    reopened = VectorCache(tmp_path, emb.name)
    assert len(reopened) == 5
    again = post_vectors(emb, TEXTS + ["Vaccines cause autism in children."], reopened)
    assert emb.seen == seen
    assert np.allclose(again[:3], first)
    assert list((tmp_path / emb.name).glob("*.safetensors"))
