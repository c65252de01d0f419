"""Spike statistics over the one run format."""
