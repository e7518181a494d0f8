"""Risk: a calibrated probability that a change breaks something, learned from history."""
