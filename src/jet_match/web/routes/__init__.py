"""Page routes, one module per page area; each defines `router` (docs/workspace.md)."""
