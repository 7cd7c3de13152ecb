"""Access: who may do what. API keys with scopes for the REST API; user accounts with roles,
argon2id passwords and web sessions for the pages.

Purpose: issue API keys (shown once, stored only as a hash), revoke them, and tell the web layer
which key a request carries and what it may do; open staff and customer accounts, check logins,
open and end browser sessions (only a hash of the session token is stored, with the CSRF token
its forms must echo), and keep the one map of role → permissions the pages enforce
(``roles.py``). A key's name or a user's e-mail is the actor of what it does.
Depends on: kernel.
Publishes: ApiKeyCreated, ApiKeyRevoked, UserCreated, UserDisabled, UserEnabled (the audit
trail, in the event log with the actor who did it).
Subscribes: nothing.
"""
