"""Reading pages and payloads: bytes to text, markup to clean text, dates, structured data (JSON-LD,
microdata, RDFa), schema.org fields and a page's main text.

A leaf: it imports nothing of the pipeline (sources, text, model, store ...), only the standard library,
the parsing libraries and :mod:`sentiment.errors`, so every stage can use it without import cycles.
``tests/test_layering.py`` checks that.
"""
