"""CDK for the consent-deletion workflow: ledger network and database, workflow construct, stack."""
