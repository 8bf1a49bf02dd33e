"""Starts one ConsentDeletion execution for every consent revocation in the Customers table's stream."""
