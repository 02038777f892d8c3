"""Enterprise trials: the lifecycle rules T1-T19 (lifecycle.py, schedule.py) and the pages."""
