"""Host-organization development: where demand is unmet (`demand`) and the pipeline of
prospective host organizations (`prospects`, `prospect_sheets`). Coordinators only."""
