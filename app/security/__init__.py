"""Protection of the case files: who may do what, and what retention erases.

Qt-free and free of services, so that the desktop client and the sync server read the
same table (:mod:`app.security.permissions`) and erase the same fields
(:mod:`passerelle_core.erasure`).
"""
