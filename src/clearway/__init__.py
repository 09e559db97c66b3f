"""Clearway: customs clearance and risk management for cross-border e-commerce."""
