"""CDK for the scheduled-requests workflow: the workflow construct, its API and its stack."""
