"""Offline code: corpora and real cases, training, evaluation and the model card.

Scoring (``detector.detector`` and everything it imports) never imports this package; a test keeps
it so (``tests/test_layers.py``)."""
