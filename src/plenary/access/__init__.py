"""Access: who may do what (``rules.py``), declared by views (``views.py``) and the API (``api.py``)."""
