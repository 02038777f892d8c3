"""The root redirect (rule L2), each language's home page and the health check."""
