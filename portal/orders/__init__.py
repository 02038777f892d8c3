"""Orders: placing them, following them, and what the scheduler does with them (O1-O5)."""
