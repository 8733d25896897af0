"""SQLAlchemy Core tables and the only code in the node that issues SQL."""
