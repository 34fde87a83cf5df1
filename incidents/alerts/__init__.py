"""Alerts: watches, the events of an incident announced once each, and their delivery."""
