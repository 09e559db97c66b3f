"""Revenue."""
