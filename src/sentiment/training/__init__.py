"""Offline work on the models: data sets, fine-tuning, evaluation, calibration and the generated cards.

Nothing here runs at night: :mod:`sentiment.model` (what the nightly flow and ``sentiment model
predict`` load) never imports this package, and what only training needs (``peft``) comes with the
``train`` extra.
"""
