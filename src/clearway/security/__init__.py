"""Stakeholder access and personal data: API keys and roles, encryption at rest, audit log, retention.

Domain code only: the HTTP side (authentication of requests, the login page) lives in `clearway.api`
and `clearway.web` and calls into this package.
"""
