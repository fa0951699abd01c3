"""Handlers that fakelambda's Python runtime tests invoke."""

import logging
import os
import sys
import time


def echo(event, context):
    return event


def context(event, context):
    return {
        "event": event,
        "awsRequestId": context.aws_request_id,
        "invokedFunctionArn": context.invoked_function_arn,
        "functionName": context.function_name,
        "functionVersion": context.function_version,
        "memoryLimitInMB": context.memory_limit_in_mb,
        "logGroupName": context.log_group_name,
        "remaining": context.get_remaining_time_in_millis(),
        "traceId": os.environ.get("_X_AMZN_TRACE_ID", ""),
        "taskRoot": os.environ.get("LAMBDA_TASK_ROOT", ""),
        "handler": os.environ.get("_HANDLER", ""),
        "cwd": os.getcwd(),
    }


def unauthorized(event, context):
    raise Exception("Unauthorized")


def value_error(event, context):
    raise ValueError("bad value")


def not_json(event, context):
    return {"at": object()}


def exits(event, context):
    sys.exit(3)


def sleep(event, context):
    time.sleep(event.get("ms", 0) / 1000)
    return "slept"


def log(event, context):
    print("hello", event.get("name"))
    logging.getLogger().warning("trouble")
    return None


not_a_function = 42
