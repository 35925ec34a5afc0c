"""The HTTP face of the server: the app factory, dependencies, routes, error handling."""
