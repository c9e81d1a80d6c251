"""Campaigns: audience minus exclusions, sub-audiences, treatment and control groups, contacts."""
