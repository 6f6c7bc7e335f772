"""Main-text extraction: a quality gate on the article-extraction benchmark, and the metadata we read.

The gate scores :func:`extract_article` with the benchmark's metric (``bench/extraction.py``): on a
fixed subset of 30 pages on every test run, and on all 181 pages in the slow suite, so that a library
upgrade or a settings change that makes extraction worse fails here, not silently in production.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import extraction as bench
from sentiment.parse.extract import Article, ExtractionSettings, extract_article

#: Measured F1 0.968 (P 0.972, R 0.965) on these 30 pages with trafilatura 2.3.1 and the chosen settings.
SUBSET_MIN_F1 = 0.958
#: The issue's bar on all 181 pages (measured 0.964).
FULL_MIN_F1 = 0.95
SUBSET_SIZE = 30

WEWORK = "bc13ff87b2630ffbebc33bc37b11178b14f03109055e1d17bf644f804b63d98a"
STADIA = "aade2ec8d1e7b0919aef1001c3ef0573f8a239e22d4d751d8e664f04ea77ef0d"


@pytest.fixture(scope="module")
def benchmark(shared_data: Path) -> Path:
    return shared_data / "article-extraction-benchmark"


@pytest.fixture(scope="module")
def truth(benchmark: Path) -> dict[str, dict[str, str]]:
    return bench.load_ground_truth(benchmark)


def score(benchmark: Path, truth: dict[str, dict[str, str]], ids: list[str]) -> bench.Summary:
    scores = [
        bench.score_page(truth[i]["articleBody"], extract_article(bench.read_page(benchmark, i), truth[i]["url"]).text)
        for i in ids
    ]
    return bench.summarise(scores)


def test_quality_gate_on_a_fixed_subset(benchmark: Path, truth: dict[str, dict[str, str]]) -> None:
    summary = score(benchmark, truth, sorted(truth)[:SUBSET_SIZE])
    assert summary.pages == SUBSET_SIZE
    assert summary.empty == 0, "a page without any extracted text would hide from the precision mean"
    assert summary.f1 >= SUBSET_MIN_F1, bench.describe(summary)


@pytest.mark.slow
def test_quality_gate_on_all_pages(benchmark: Path, truth: dict[str, dict[str, str]]) -> None:
    summary = score(benchmark, truth, sorted(truth))
    assert summary.pages == 181
    assert summary.f1 >= FULL_MIN_F1, bench.describe(summary)


# --- real pages --------------------------------------------------------------------------------------


def test_a_real_news_page(benchmark: Path, truth: dict[str, dict[str, str]]) -> None:
    article = extract_article(bench.read_page(benchmark, WEWORK), truth[WEWORK]["url"])
    assert article.title == "WeWork employees to be laid off this week"
    assert article.author is not None and article.author.startswith("David Jeans")
    # JSON-LD datePublished "2019-11-18T12:02:02-05:00" (htmldate alone says only 2019-11-18)
    assert article.published_at == datetime(2019, 11, 18, 17, 2, 2, tzinfo=UTC)
    assert article.lang == "en-US"
    assert article.url == "https://therealdeal.com/2019/11/18/thousands-of-wework-employees-to-be-laid-off-this-week/"
    assert article.text.startswith("More than a third of WeWork’s 12,000 employees will likely receive notice")
    assert article.text.endswith("after being delayed for almost two weeks.")
    assert "Subscribe" not in article.text


def test_bytes_are_decoded_like_fetched_pages(benchmark: Path, truth: dict[str, dict[str, str]]) -> None:
    html = bench.read_page(benchmark, STADIA)
    from_bytes = extract_article(html.encode("utf-8"), truth[STADIA]["url"])
    assert from_bytes == extract_article(html, truth[STADIA]["url"])
    assert "You’re promised a smooth ride in the fastest performance car available" in from_bytes.text


def test_comments_are_left_out_unless_asked_for() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the article about the Acme espresso machine, long enough.</p>" for i in range(8)
    )
    page = (
        "<html><body><article><h1>Acme review</h1>" + paragraphs + "</article>"
        '<div id="comments" class="comments"><div class="comment"><p>Comment: terrible machine, never again, '
        "mine broke after a week and support never answered my many emails.</p></div></div></body></html>"
    )
    assert "terrible machine" not in extract_article(page).text
    assert "Paragraph 7 of the article" in extract_article(page).text
    with_comments = extract_article(page, settings=ExtractionSettings(favor_precision=False, include_comments=True))
    assert "terrible machine" in with_comments.text


# --- metadata on written pages -------------------------------------------------------------------------

BODY = "".join(
    f"<p>Sentence {i}: the new Acme store in Krakow opened its doors to long queues and mostly happy customers.</p>"
    for i in range(6)
)


def page(head: str = "", html_attrs: str = "") -> str:
    return f"<!doctype html><html{html_attrs}><head>{head}</head><body><article>{BODY}</article></body></html>"


def test_published_time_from_article_markup_in_a_graph() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "datePublished": "2001-01-01"},
            {"@type": "NewsArticle", "headline": "Acme opens", "datePublished": "2026-03-02T10:30:00+01:00"},
        ],
    }
    article = extract_article(page(f'<script type="application/ld+json">{json.dumps(ld)}</script>'))
    assert article.published_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_published_time_from_meta_then_a_day_from_htmldate() -> None:
    meta = '<meta property="article:published_time" content="2026-03-02T10:30:00Z">'
    assert extract_article(page(meta)).published_at == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    # No time stated anywhere: htmldate reads the visible date (a past one: it rejects future dates).
    dated = page().replace("<article>", '<article><p class="date">Published March 2, 2019</p>')
    assert extract_article(dated).published_at == datetime(2019, 3, 2, tzinfo=UTC)


def test_lang_and_canonical_url() -> None:
    head = '<link rel="canonical" href="/news/acme-opens?x=1#top"><meta property="og:locale" content="pl_PL">'
    article = extract_article(page(head), "https://news.example/feed-item?utm_source=rss")
    assert article.url == "https://news.example/news/acme-opens?x=1"
    assert article.lang == "pl-PL"
    assert extract_article(page(html_attrs=' lang="de"')).lang == "de"
    assert extract_article(page('<link rel="canonical" href="javascript:void(0)">')).url is None
    assert extract_article(page('<link rel="canonical" href="http://[broken/">'), "https://news.example/").url is None


def test_title_and_text_of_a_plain_page() -> None:
    article = extract_article(page("<title>Acme opens in Krakow</title>"))
    assert article.title == "Acme opens in Krakow"
    assert article.text.splitlines()[0].startswith("Sentence 0: the new Acme store in Krakow")
    assert len(article.text.splitlines()) == 6


@pytest.mark.parametrize(
    "html", ["", "   ", b"", "<html></html>", "<html><body><script>var a = 1;</script></body></html>"]
)
def test_a_page_without_an_article_gives_empty_text(html: str | bytes) -> None:
    article = extract_article(html)
    assert isinstance(article, Article)
    assert article.text == ""


def test_an_xml_declared_page_parses() -> None:
    article = extract_article('<?xml version="1.0" encoding="utf-8"?>\n' + page(html_attrs=' xml:lang="fr"'))
    assert "Sentence 5" in article.text
