"""Shared web machinery: i18n, security headers, sessions, permissions, errors, htmx helpers."""
