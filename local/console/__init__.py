"""The execution console: static pages, served by the Step Functions API server at `/console/`, that read
executions through the Step Functions API itself (and `/_local/clock`)."""
