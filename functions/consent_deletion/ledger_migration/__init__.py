"""Deploy-time ledger preparation: migrations, and the IAM-authenticated application user with its grants."""
