"""The admin console (/admin): registrations, keys, outbox, privacy policy, people, audit log.

Two ways in: an LTI launch by an institution administrator (scoped to that launch's
registration, under /l/<lid>/admin/…) and the operator's local account (everything, under
/admin/…). `access` decides who is here and what they may see; `operations` is the one
place that changes anything, each change with its audit entry.
"""
