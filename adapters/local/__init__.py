"""`xpost local`: the whole bot on one machine, and the workspace page that plays Slack."""
