"""Intake: the batch pipeline and bulk files (parse → validate → categorise → revenue → risk → decide →
persist → score → answer)."""
