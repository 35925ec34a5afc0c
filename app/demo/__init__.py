"""Demonstration data: a realistic, reproducible Moroccan caseload for demos and benchmarks."""

from app.demo.generator import DEMO_TODAY, DemoError, DemoSummary, fill_profile, generate

__all__ = ["DEMO_TODAY", "DemoError", "DemoSummary", "fill_profile", "generate"]
