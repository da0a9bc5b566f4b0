"""Everything that talks to the outside: Slack, Teams, X, Redis, the stand-ins, entry points."""
