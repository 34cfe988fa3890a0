"""The interchange dataset: format, reference data, loading and validation, generator."""
