"""Programs, cohorts and groups after import: edit them, merge duplicates, see their sources.

`changes` writes (one transaction each, recorded in the import history, undoable), `fields`
checks values, `catalogue` reads what the Programs page lists.
"""
