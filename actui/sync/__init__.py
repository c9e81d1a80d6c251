"""Sending: plan by diff against the list's last confirmed state, batch, journal, resume, report."""
