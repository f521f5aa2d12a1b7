"""Inline widget tests."""
