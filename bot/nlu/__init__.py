"""Custom Rasa NLU components (see sentence_embeddings.py)."""
