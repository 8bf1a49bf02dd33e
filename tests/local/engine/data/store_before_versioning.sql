-- A SqliteStore as the engine wrote it before stores recorded their layout version (commit 19f9b64),
-- dumped with sqlite3's iterdump: state machine Waits (tagged team=local) with execution 'finished'
-- (SUCCEEDED) and 'waiting' (in an hour-long Wait), state machine Asks with execution 'callback'
-- (waiting for a task token), and a virtual clock saved at 2026-01-01T01:01:00Z.
BEGIN TRANSACTION;
CREATE TABLE definitions (digest TEXT PRIMARY KEY, body TEXT NOT NULL);
INSERT INTO "definitions" VALUES('d02f0ddac568f09371862963d356535b3f9e4d901ab39a895496083f81c6946d','{"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "Next": "After"}, "After": {"Type": "Pass", "Parameters": {"resumed.$": "$.order"}, "End": true}}}');
INSERT INTO "definitions" VALUES('02235d2c1f8fdcd4cf960c6ab874b8dcded614e728812107a944c01b23777feb','{"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": true}}}');
CREATE TABLE events (
    execution_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_id, id)
) WITHOUT ROWID;
INSERT INTO "events" VALUES(1,1,'{"id":1,"previousEventId":0,"timestamp":1767225600.0,"type":"ExecutionStarted","executionStartedEventDetails":{"input":"{\"order\":1}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/sfn"}}');
INSERT INTO "events" VALUES(1,2,'{"id":2,"previousEventId":0,"timestamp":1767225600.0,"type":"WaitStateEntered","stateEnteredEventDetails":{"name":"Wait","input":"{\"order\":1}","inputDetails":{"truncated":false}}}');
INSERT INTO "events" VALUES(1,3,'{"id":3,"previousEventId":2,"timestamp":1767229200.0,"type":"WaitStateExited","stateExitedEventDetails":{"name":"Wait","output":"{\"order\":1}","outputDetails":{"truncated":false}}}');
INSERT INTO "events" VALUES(1,4,'{"id":4,"previousEventId":3,"timestamp":1767229200.0,"type":"PassStateEntered","stateEnteredEventDetails":{"name":"After","input":"{\"order\":1}","inputDetails":{"truncated":false}}}');
INSERT INTO "events" VALUES(1,5,'{"id":5,"previousEventId":4,"timestamp":1767229200.0,"type":"PassStateExited","stateExitedEventDetails":{"name":"After","output":"{\"resumed\":1}","outputDetails":{"truncated":false}}}');
INSERT INTO "events" VALUES(1,6,'{"id":6,"previousEventId":5,"timestamp":1767229200.0,"type":"ExecutionSucceeded","executionSucceededEventDetails":{"output":"{\"resumed\":1}","outputDetails":{"truncated":false}}}');
INSERT INTO "events" VALUES(2,1,'{"id":1,"previousEventId":0,"timestamp":1767229200.0,"type":"ExecutionStarted","executionStartedEventDetails":{"input":"{\"order\":2}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/sfn"}}');
INSERT INTO "events" VALUES(2,2,'{"id":2,"previousEventId":0,"timestamp":1767229200.0,"type":"WaitStateEntered","stateEnteredEventDetails":{"name":"Wait","input":"{\"order\":2}","inputDetails":{"truncated":false}}}');
INSERT INTO "events" VALUES(3,1,'{"id":1,"previousEventId":0,"timestamp":1767229200.0,"type":"ExecutionStarted","executionStartedEventDetails":{"input":"{}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/sfn"}}');
INSERT INTO "events" VALUES(3,2,'{"id":2,"previousEventId":0,"timestamp":1767229200.0,"type":"TaskStateEntered","stateEnteredEventDetails":{"name":"Ask","input":"{}","inputDetails":{"truncated":false}}}');
INSERT INTO "events" VALUES(3,3,'{"id":3,"previousEventId":2,"timestamp":1767229200.0,"type":"TaskScheduled","taskScheduledEventDetails":{"resourceType":"lambda","resource":"invoke.waitForTaskToken","region":"us-east-1","parameters":"{\"FunctionName\":\"ask\",\"Payload\":{\"token\":\"69453f75-cdcd-48bc-a5ee-a5bde09e5ba3\"}}"}}');
INSERT INTO "events" VALUES(3,4,'{"id":4,"previousEventId":3,"timestamp":1767229200.0,"type":"TaskStarted","taskStartedEventDetails":{"resourceType":"lambda","resource":"invoke.waitForTaskToken"}}');
INSERT INTO "events" VALUES(3,5,'{"id":5,"previousEventId":4,"timestamp":1767229200.0,"type":"TaskSubmitted","taskSubmittedEventDetails":{"resourceType":"lambda","resource":"invoke.waitForTaskToken","output":"{\"ExecutedVersion\":\"$LATEST\",\"Payload\":{},\"SdkHttpMetadata\":{\"AllHttpHeaders\":{\"X-Amz-Executed-Version\":[\"$LATEST\"],\"x-amzn-Remapped-Content-Length\":[\"0\"],\"Connection\":[\"keep-alive\"],\"x-amzn-RequestId\":[\"cecae2b4-487f-4649-bab5-4402665f17fc\"],\"Content-Length\":[\"2\"],\"Date\":[\"Sun, 06 Dec 2026 11:43:51 GMT\"],\"Content-Type\":[\"application/json\"]},\"HttpHeaders\":{\"Connection\":\"keep-alive\",\"Content-Length\":\"2\",\"Content-Type\":\"application/json\",\"Date\":\"Sun, 06 Dec 2026 11:43:51 GMT\",\"X-Amz-Executed-Version\":\"$LATEST\",\"x-amzn-Remapped-Content-Length\":\"0\",\"x-amzn-RequestId\":\"cecae2b4-487f-4649-bab5-4402665f17fc\"},\"HttpStatusCode\":200},\"SdkResponseMetadata\":{\"RequestId\":\"cecae2b4-487f-4649-bab5-4402665f17fc\"},\"StatusCode\":200}","outputDetails":{"truncated":false}}}');
CREATE TABLE executions (
    id INTEGER PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    state_machine_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    start_date REAL NOT NULL,
    body TEXT NOT NULL,
    frame TEXT,
    due REAL,
    skippable_due REAL,
    runnable INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "executions" VALUES(1,'arn:aws:states:us-east-1:123456789012:execution:Waits:finished','arn:aws:states:us-east-1:123456789012:stateMachine:Waits','SUCCEEDED',1767225600.0,'{"arn":"arn:aws:states:us-east-1:123456789012:execution:Waits:finished","state_machine_arn":"arn:aws:states:us-east-1:123456789012:stateMachine:Waits","name":"finished","status":"SUCCEEDED","start_date":1767225600.0,"input":"{\"order\": 1}","role_arn":"arn:aws:iam::123456789012:role/sfn","type":"STANDARD","stop_date":1767229200.0,"output":"{\"resumed\":1}","error":null,"cause":null,"redrive_count":0,"redrive_date":null,"mock_test_case":null,"definition_hash":"d02f0ddac568f09371862963d356535b3f9e4d901ab39a895496083f81c6946d"}',NULL,NULL,NULL,0);
INSERT INTO "executions" VALUES(2,'arn:aws:states:us-east-1:123456789012:execution:Waits:waiting','arn:aws:states:us-east-1:123456789012:stateMachine:Waits','RUNNING',1767229200.0,'{"arn":"arn:aws:states:us-east-1:123456789012:execution:Waits:waiting","state_machine_arn":"arn:aws:states:us-east-1:123456789012:stateMachine:Waits","name":"waiting","status":"RUNNING","start_date":1767229200.0,"input":"{\"order\": 2}","role_arn":"arn:aws:iam::123456789012:role/sfn","type":"STANDARD","stop_date":null,"output":null,"error":null,"cause":null,"redrive_count":0,"redrive_date":null,"mock_test_case":null,"definition_hash":"d02f0ddac568f09371862963d356535b3f9e4d901ab39a895496083f81c6946d"}','{"threads":[{"id":1,"parent":null,"slot":null,"machine":"","state":"Wait","phase":"timer","input":{"order":2},"src":2,"pre":0,"entered":2,"entered_at":1767229200.0,"vars":{},"retries":[],"retry_count":0,"due":1767232800.0,"resume":{"kind":"wait_done"},"data":{"output":{"order":2},"assigned":null}}],"next_thread_id":2,"last_event_id":2,"tokens":{},"invocations":{},"timeout_due":null,"redrive":null}',1767232800.0,1767232800.0,0);
INSERT INTO "executions" VALUES(3,'arn:aws:states:us-east-1:123456789012:execution:Asks:callback','arn:aws:states:us-east-1:123456789012:stateMachine:Asks','RUNNING',1767229200.0,'{"arn":"arn:aws:states:us-east-1:123456789012:execution:Asks:callback","state_machine_arn":"arn:aws:states:us-east-1:123456789012:stateMachine:Asks","name":"callback","status":"RUNNING","start_date":1767229200.0,"input":"{}","role_arn":"arn:aws:iam::123456789012:role/sfn","type":"STANDARD","stop_date":null,"output":null,"error":null,"cause":null,"redrive_count":0,"redrive_date":null,"mock_test_case":null,"definition_hash":"02235d2c1f8fdcd4cf960c6ab874b8dcded614e728812107a944c01b23777feb"}','{"threads":[{"id":1,"parent":null,"slot":null,"machine":"","state":"Ask","phase":"task","input":{},"src":5,"pre":0,"entered":2,"entered_at":1767229200.0,"vars":{},"retries":[],"retry_count":0,"due":null,"resume":{"kind":"timeout"},"data":{"timeout":null,"heartbeat":null,"token":"69453f75-cdcd-48bc-a5ee-a5bde09e5ba3","parameters":{"FunctionName":"ask","Payload":{"token":"69453f75-cdcd-48bc-a5ee-a5bde09e5ba3"}},"deadline":null}}],"next_thread_id":2,"last_event_id":5,"tokens":{"69453f75-cdcd-48bc-a5ee-a5bde09e5ba3":1},"invocations":{"Ask":1},"timeout_due":null,"redrive":null}',NULL,NULL,0);
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "settings" VALUES('clock_position','2026-01-01T01:01:00.000000+00:00');
CREATE TABLE state_machines (arn TEXT PRIMARY KEY, created REAL NOT NULL, body TEXT NOT NULL);
INSERT INTO "state_machines" VALUES('arn:aws:states:us-east-1:123456789012:stateMachine:Waits',1767225600.0,'{"arn":"arn:aws:states:us-east-1:123456789012:stateMachine:Waits","name":"Waits","type":"STANDARD","definition":"{\"StartAt\": \"Wait\", \"States\": {\"Wait\": {\"Type\": \"Wait\", \"Seconds\": 3600, \"Next\": \"After\"}, \"After\": {\"Type\": \"Pass\", \"Parameters\": {\"resumed.$\": \"$.order\"}, \"End\": true}}}","role_arn":"arn:aws:iam::123456789012:role/sfn","creation_date":1767225600.0,"status":"ACTIVE","logging_configuration":{"level":"OFF","includeExecutionData":false},"tracing_configuration":{"enabled":false},"revision_id":"a8b3f19f-401d-4344-bdc1-e4ecf4be1553","update_date":null,"description":""}');
INSERT INTO "state_machines" VALUES('arn:aws:states:us-east-1:123456789012:stateMachine:Asks',1767225600.0,'{"arn":"arn:aws:states:us-east-1:123456789012:stateMachine:Asks","name":"Asks","type":"STANDARD","definition":"{\"StartAt\": \"Ask\", \"States\": {\"Ask\": {\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke.waitForTaskToken\", \"Parameters\": {\"FunctionName\": \"ask\", \"Payload\": {\"token.$\": \"$$.Task.Token\"}}, \"End\": true}}}","role_arn":"arn:aws:iam::123456789012:role/sfn","creation_date":1767225600.0,"status":"ACTIVE","logging_configuration":{"level":"OFF","includeExecutionData":false},"tracing_configuration":{"enabled":false},"revision_id":"03ac88f6-ba6e-4ac7-b4b6-8a4ed9889e7e","update_date":null,"description":""}');
CREATE TABLE tags (arn TEXT PRIMARY KEY, body TEXT NOT NULL);
INSERT INTO "tags" VALUES('arn:aws:states:us-east-1:123456789012:stateMachine:Waits','{"team":"local"}');
CREATE TABLE tokens (token TEXT PRIMARY KEY, execution_arn TEXT NOT NULL);
INSERT INTO "tokens" VALUES('69453f75-cdcd-48bc-a5ee-a5bde09e5ba3','arn:aws:states:us-east-1:123456789012:execution:Asks:callback');
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_date);
CREATE INDEX executions_by_due ON executions (due) WHERE due IS NOT NULL;
CREATE INDEX executions_by_skippable_due ON executions (skippable_due)
    WHERE skippable_due IS NOT NULL;
CREATE INDEX executions_runnable ON executions (runnable) WHERE runnable = 1;
CREATE INDEX tokens_by_execution ON tokens (execution_arn);
COMMIT;
