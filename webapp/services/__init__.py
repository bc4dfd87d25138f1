"""Services: plain functions taking the SQLAlchemy session first; they flush, never commit."""
