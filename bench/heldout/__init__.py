"""The held-out organisation: effects drawn at random, exports written, scored via the CLI."""
