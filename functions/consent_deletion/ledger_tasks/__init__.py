"""The ConsentDeletion ledger tasks: one function that applies one ledger command per invocation."""
