"""`python -m local demo` (`make demo`): a scripted walk through every workflow on the local stack."""
