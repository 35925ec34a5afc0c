"""What the desktop client and the sync server must agree on, importable by both.

The protocol schemas and wire form, the record-type catalogue, the role table and the
lifecycle, the erasure rules, the escrow cryptography, the enums. No Qt, no SQLCipher,
no reportlab; nothing from ``app`` or ``server``; no side effect at import
(tests/test_architecture.py checks all of it).
"""
