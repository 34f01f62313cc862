"""Exports people take away from the app: table downloads (and, later, slides and PDF)."""
