"""E-mails the technical contacts when a consent deletion needs a person (SNS → Lambda → SES v2)."""
