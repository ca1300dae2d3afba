"""The process's exit codes, one per kind of failure, so a supervisor can tell them apart."""

OK = 0
UNEXPECTED = 1
USAGE = 2
CONFIG = 3
LOGIN = 4
# No longer used: an unreachable homeserver is waited for, at start as later. Kept so that 5 keeps its meaning.
HOMESERVER_UNREACHABLE = 5
DATABASE = 6
# The rules (handlers/access.py) do not allow that on that dialogue (purge an active one, pull a purged one's draft,
# end one that has ended …); the message on stderr says why and what to do instead.
REFUSED = 7
