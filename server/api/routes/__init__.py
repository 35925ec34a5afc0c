"""One module per group of endpoints; :mod:`server.api.app` mounts them."""
