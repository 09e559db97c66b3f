"""Synthetic cross-border e-commerce traffic with planted fraud, for demos, tests and benchmarks."""

from clearway.traffic.generator import FRAUD_KINDS, WATCHLIST_SELLERS, Label, generate, write_files

__all__ = ["FRAUD_KINDS", "WATCHLIST_SELLERS", "Label", "generate", "write_files"]
