"""Successor suggestions for key roles."""
