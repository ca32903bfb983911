"""Web layer of the casework service: FastAPI routes, Jinja2 templates (Simplified Chinese) and static files."""
