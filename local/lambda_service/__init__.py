"""A local Lambda service: functions created through AWS's Lambda REST API, each run in warm worker processes.

registry = FunctionRegistry(account_id="123456789012", region="us-east-1", root=None, concurrency=10)
registry.start()
api = LambdaRestApi(registry)          # served beside the Step Functions API
engine.use_lambda_invoker(registry)    # Lambda tasks run the functions, no HTTP round trip
"""
