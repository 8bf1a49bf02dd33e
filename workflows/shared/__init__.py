"""Building blocks every workflow stack shares: catalog-driven functions, state machines, grants, cdk-nag."""
