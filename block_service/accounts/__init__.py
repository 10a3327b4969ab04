"""People, their roles, passwords and sessions."""
