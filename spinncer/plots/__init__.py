"""Figures (matplotlib/seaborn, PNG)."""
