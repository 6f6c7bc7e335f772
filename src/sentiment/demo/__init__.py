"""The bundled "sample web": hand-written demo reviews and press items served on localhost.

``make demo`` serves it with :func:`sentiment.demo.server.serve_sample_web` and runs the real nightly
pipeline against it, so the product can be seen end to end on a laptop without touching the internet.
The data (``reviews.yaml``, ``news.yaml``) is fictional and documented in ``README.md`` beside it.
"""
