"""The command-line inspector: read executions through the Step Functions API, and act on a running stack
(schedule a request, revoke consent, read the e-mails sent) the way a user of the stack would.
"""
