"""`kepu eval operating-point`: how a claims base and labelled posts fare through `kepu flag`'s
own path, the way a new user meets them.

The claims are imported (`kepu claims import`'s reader and store) into a scratch home, the
posts are read by `kepu flag`'s reader and flagged by the same flagger; a second scratch home
holds the same base without the posts' gold claims, so that a match found there is a false one.
Scratch homes live under HOME/eval/ and are reused while the claims are unchanged (their claim
vectors stay cached in them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from common.errors import InputError
from common.records import Claim, Flag, Post
from common.settings import Settings
from kepu.screening.claims import scratch_settings
from kepu.screening.scoring import build_flagger
from pipeline.claim_groups import match_keys
from pipeline.embedding import Embedder, MemoEmbedder
from pipeline.jsonlines import parse_json_lines
from pipeline.posts_file import read_posts
from store import Database
from store.claims import copy_vectors_from

LABELS = ("myth", "debunk", "science", "offtopic")


@dataclass(frozen=True)
class LabelledPost:
    """A post with what it should get: its `label` (myth, debunk, science, offtopic, or "" when
    unknown) and the ids of the claims it states or refutes."""

    post: Post
    label: str
    claim_ids: tuple[str, ...]


def read_labelled_posts(path: Path) -> list[LabelledPost]:
    """Posts as `kepu flag` reads them, with `label` and `claim_ids` (a list of claim ids) from
    the same lines."""
    posts = read_posts(path)
    rows = parse_json_lines(path.read_text(encoding="utf-8-sig"), str(path))
    out = []
    for post, (line, row) in zip(posts, rows, strict=True):
        label = row.get("label", "")
        ids = row.get("claim_ids", [])
        if label not in (*LABELS, ""):
            raise InputError(str(path), f"label must be one of {', '.join(LABELS)}, got "
                             f"{label!r}", line)
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            raise InputError(str(path), "claim_ids must be a list of claim ids", line)
        out.append(LabelledPost(post, label, tuple(ids)))
    return out


def flag_with_base(settings: Settings, embedder: Embedder, claims: Sequence[dict[str, object]],
                   posts: Sequence[Post], tag: str, vectors_from: Path | None = None
                   ) -> tuple[list[Flag], Path]:
    """The flags `kepu flag` gives `posts` against a base of exactly `claims`, and the scratch
    database (its claim vectors seeded from `vectors_from`'s)."""
    scratch = scratch_settings(settings, claims, tag)
    with Database(scratch.database) as db:
        if vectors_from is not None:
            copy_vectors_from(db, vectors_from)
        return list(build_flagger(scratch, db, embedder).flag(list(posts))), scratch.database


def operating_point(settings: Settings, embedder: Embedder, claims: Sequence[dict[str, object]],
                    posts: Sequence[LabelledPost], tag: str,
                    progress: Callable[[str], None] | None = None) -> dict[str, dict[str, float]]:
    """Figures per language (and `all`): match recall, false matches with the gold claims
    removed, and flag rates by label. A gold claim stands for its whole group (twins of one myth
    grouped as `kepu claims import` groups them): matching a twin is a match, and the twins
    leave the base with it."""
    posts = with_twins(posts, claims)
    memo = MemoEmbedder(embedder)
    flags, database = flag_with_base(settings, memo, claims, [p.post for p in posts], tag)
    without: dict[str, Flag] = {}
    folds = gold_folds(posts, len(claims))
    for number, fold in enumerate(folds):
        if progress:
            progress(f"the base without the gold claims of {len(fold)} posts "
                     f"({number + 1}/{len(folds)})")
        gold = {i for p in fold for i in p.claim_ids}
        rest = [c for c in claims if c["id"] not in gold]
        found, _ = flag_with_base(settings, memo, rest, [p.post for p in fold],
                                  f"{tag}-no-gold", vectors_from=database)
        without |= {p.post.id: f for p, f in zip(fold, found, strict=True)}
    return figures_by_language(posts, flags, without)


def with_twins(posts: Sequence[LabelledPost], claims: Sequence[dict[str, object]]
               ) -> list[LabelledPost]:
    """`posts` with each gold claim's group (as the import stores it) added to its claim ids."""
    keys = match_keys([Claim(str(c["id"]), str(c["text"]), str(c["lang"]), "", "", "", "",
                             group=str(c.get("group") or "")) for c in claims])
    members: dict[str, list[str]] = {}
    for claim_id, key in keys.items():
        members.setdefault(key, []).append(claim_id)
    return [replace(p, claim_ids=tuple(sorted({t for i in p.claim_ids
                                               for t in members.get(keys.get(i, i), [i])})))
            for p in posts]


def gold_folds(posts: Sequence[LabelledPost], base_size: int, share: float = 0.1
               ) -> list[list[LabelledPost]]:
    """The posts with gold claims, in folds whose gold claims together are at most about
    `share` of the base: removing every post's gold claims at once would empty a small base
    (and make false matches impossible), so each fold is measured against the base without its
    own posts' gold claims only. A post's fold is fixed by a hash of its claim ids."""
    with_gold = [p for p in posts if p.claim_ids]
    distinct = len({i for p in with_gold for i in p.claim_ids})
    count = max(1, -(-distinct // max(int(base_size * share), 1)))
    folds: list[list[LabelledPost]] = [[] for _ in range(count)]
    for post in with_gold:
        key = "\x1f".join(sorted(post.claim_ids)).encode("utf-8")
        folds[int(hashlib.sha256(key).hexdigest()[:8], 16) % count].append(post)
    return [fold for fold in folds if fold]


def figures_by_language(posts: Sequence[LabelledPost], flags: Sequence[Flag],
                        without_gold: dict[str, Flag]) -> dict[str, dict[str, float]]:
    langs = sorted({p.post.lang for p in posts})
    out = {}
    for lang in [*langs, "all"] if len(langs) > 1 else langs:
        picked = [(p, f) for p, f in zip(posts, flags, strict=True)
                  if lang == "all" or p.post.lang == lang]
        out[lang] = figures(picked, without_gold)
    return out


def figures(picked: Sequence[tuple[LabelledPost, Flag]], without_gold: dict[str, Flag]
            ) -> dict[str, float]:
    """Pure arithmetic over (labelled post, flag) pairs."""
    out: dict[str, float] = {"posts": float(len(picked))}
    gold = [(p, f) for p, f in picked if p.claim_ids]
    if gold:
        out["match recall"] = sum(
            bool(set(p.claim_ids) & {m.claim_id for m in f.matches}) for p, f in gold) / len(gold)
        out["false matches, gold removed"] = sum(
            bool(without_gold[p.post.id].matches) for p, _ in gold) / len(gold)
    loose = [(p, f) for p, f in picked if not p.claim_ids and p.label]
    if loose:
        out["false matches, posts of no claim"] = sum(bool(f.matches) for _, f in loose) / len(loose)
    for label in LABELS:
        rows = [f for p, f in picked if p.label == label]
        if rows:
            out[f"{label} flagged"] = sum(f.flagged for f in rows) / len(rows)
    labelled = [(p, f) for p, f in picked if p.label]
    flagged = [p for p, f in labelled if f.flagged]
    myths = [p for p, _ in labelled if p.label == "myth"]
    if labelled and myths:
        hits = sum(p.label == "myth" for p in flagged)
        out["flag precision"] = hits / len(flagged) if flagged else 1.0
        out["flag recall"] = hits / len(myths)
    return out


def built_in_set(settings: Settings, dataset: str, split: str, variants: bool
                 ) -> tuple[dict[str, tuple[list[dict[str, object]], Path]], str]:
    """{name: (claim rows, labelled posts file)} of a built-in set, converted into the files
    a user would give, and the scratch tag."""
    from pipeline.eval_data import clef2020_claim_rows, clef2020_post_rows

    folder = settings.home / "eval" / "inputs"
    folder.mkdir(parents=True, exist_ok=True)
    if dataset == "clef2020":
        posts = _write_rows(folder / f"clef2020-{split}.jsonl",
                            clef2020_post_rows(settings.datasets_dir, split))
        return {f"clef2020 {split} split": (clef2020_claim_rows(settings.datasets_dir),
                                            posts)}, "clef2020"
    if dataset in ("held-out", "development"):
        from models.labelled_posts import dev_files, held_out_files
        from pipeline.claims_file import read_claims

        claims = [claim_row(c, variants) for c in
                  read_claims(settings.data_dir / "claims" / "claims.jsonl")]
        base = f"bundled claims {'with' if variants else 'without'} variants"
        if dataset == "development":
            rows = [r for path in dev_files(settings.data_dir)
                    for r in own_post_rows(path, claims)]
            return {f"data/dev (development), {base}": (
                claims, _write_rows(folder / "development.jsonl", rows))}, "bundled"
        return {f"data/eval/{path.name} (held out), {base}": (
                    claims, _write_rows(folder / path.name, own_post_rows(path, claims)))
                for path in held_out_files(settings.data_dir)}, "bundled"
    raise InputError("--dataset", f"expected clef2020, held-out or development, got "
                     f"{dataset!r}")


def own_post_rows(path: Path, claims: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    """Our labelled post files ({id, lang, kind, claim: "052", title, text}) as labelled posts:
    `claim` "052" names the claim in both languages (ids kc-052-zh, kc-052-en)."""
    ids = [str(c["id"]) for c in claims]
    out = []
    for _, row in parse_json_lines(path.read_text(encoding="utf-8"), str(path)):
        number = str(row.get("claim") or "")
        out.append({"id": row["id"], "text": row["text"], "title": row.get("title") or "",
                    "lang": row["lang"], "label": row["kind"],
                    "claim_ids": [i for i in ids if number and i.startswith(f"kc-{number}-")]})
    return out


def claim_row(claim: Claim, keep_variants: bool) -> dict[str, object]:
    """A stored claim as a claims-file row; its variants dropped unless `keep_variants`."""
    row = asdict(claim)
    row.pop("version", None)
    row["variants"] = list(row["variants"]) if keep_variants else []
    return row


def with_added_claims(rows: Sequence[dict[str, object]], added: Sequence[dict[str, object]],
                      source: str) -> list[dict[str, object]]:
    """`rows` followed by `added` (claims from `source`): a set's base with a user's claims
    beside it, to see whether decisions on the same posts hold when the base changes. An id
    that is already in the base is refused, naming `source`, since a post's gold claim must
    stay one claim."""
    taken = {str(r["id"]) for r in rows}
    clashes = sorted(str(r["id"]) for r in added if str(r["id"]) in taken)
    if clashes:
        raise InputError(source, f"claim id(s) already in the base: {', '.join(clashes[:5])}")
    return [*rows, *added]


def _write_rows(path: Path, rows: Sequence[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path
