"""Stage 4, sending: approvals and the sent ledger, each message composed exactly as approved,
and the relay."""
