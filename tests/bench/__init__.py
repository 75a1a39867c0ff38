"""Benchmarks behind ``scripts/bench``; not collected by pytest (no ``test_`` names)."""
