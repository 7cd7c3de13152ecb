"""Access: API keys with scopes, so a caller reads or changes only what its key allows.

Purpose: issue API keys (shown once, stored only as a hash), revoke them, and tell the web layer
which key a request carries and what it may do. A key's name is the actor of what it does.
Depends on: kernel.
Publishes: nothing.
Subscribes: nothing.
"""
