"""The ConsentDeletion vendor tasks: request the deletion, and check the vendor's operation."""
