"""Use cases of the server: accounts and devices, push (merge) and pull (scope).

No HTTP here: the API layer maps :class:`server.services.errors.ServiceError` codes to
status codes, and the CLI prints them as one line.
"""
