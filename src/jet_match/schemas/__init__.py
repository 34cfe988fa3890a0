"""Wire models: what the HTTP API accepts and answers, one module per API area
(mirroring `api/routes/`). Organizations, openings and participants travel as the
dataset's records (`schemas.records`)."""
