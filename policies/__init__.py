"""The policy engine and the section's policy file (each rule cites its article)."""
