"""Exports people take away from the app: table downloads, and the report of pinned charts
(pins, each chart rebuilt with its table and notes, images, slides, PDF, the command)."""
