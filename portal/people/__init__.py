"""People and roles of an organization: its users, their admin roles, adding and removing them."""
