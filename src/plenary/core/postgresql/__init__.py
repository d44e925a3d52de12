"""Django's PostgreSQL backend with a cheaper health check of a kept connection (``base.py``)."""
