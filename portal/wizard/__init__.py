"""The order set-up wizard (rules W1-W9); its entry point is the "Set up now" link (rule O2)."""
