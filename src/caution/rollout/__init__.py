"""Deployment safeguards: canary judgement, analysis over time, SLO burn rate, freezes."""
