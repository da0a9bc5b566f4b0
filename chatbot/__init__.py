"""The proposal workflow, roles, commands and messages: no Slack, Teams, X or Redis here."""
