"""Metric modules: pure functions over arrays and strings."""
