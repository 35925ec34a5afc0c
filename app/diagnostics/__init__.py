"""Diagnostics: the support log (rotated, free of personal data) and error summaries."""
