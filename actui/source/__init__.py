"""Customer 360 over SQLAlchemy: connect by URL, catalog, row counts, picklists, the email column."""
