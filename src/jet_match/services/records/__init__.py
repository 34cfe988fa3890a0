"""Use cases of the records: organizations, openings, participants, and their imports
and exports (JSON datasets, CSV/XLSX sheets)."""
