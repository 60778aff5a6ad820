"""Solve jobs outside the request: the job table, thread and Celery runners, the city's parallel solve."""
