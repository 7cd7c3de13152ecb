"""Lienmach: a business's whole chain in one place, from "Order" to the after-sales call.

Every bounded context is a sub-package; a context imports only the contexts below it
(see DESIGN.md §3.1 and the import-linter contract in pyproject.toml).
"""

__version__ = "0.1.0"
