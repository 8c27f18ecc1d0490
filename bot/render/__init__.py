"""Pure renderers: data in, file bytes out (no database, no Slack)."""
