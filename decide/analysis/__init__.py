"""Analyses a report draws on, built from the engines' public functions (no engine internals)."""
