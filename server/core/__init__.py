"""Infrastructure of the server: settings, database engine and sessions, tables."""
