"""fakelambda's Python runtime: the AWS Lambda Runtime API loop for Python
handlers, with nothing beyond the standard library. It follows the behaviour
of Lambda's Python runtimes (awslambdaric's bootstrap.py, as read in
aws/aws-lambda-python-runtime-interface-client):

- _HANDLER is "path/module.function" under LAMBDA_TASK_ROOT, which is put
  first on sys.path; "/" in the module part becomes "." (a package);
- the handler is called as handler(event, context) and its return value,
  encoded as JSON, is the response;
- an event that is not JSON fails as Runtime.UnmarshalError, a result that
  cannot be encoded as Runtime.MarshalError;
- an exception is posted to /error as {errorMessage, errorType, requestId,
  stackTrace}: errorMessage is str(exception), errorType its class name, so
  raise Exception("Unauthorized") answers "Unauthorized" as on Lambda;
- load failures are posted to /init/error (Runtime.MalformedHandlerName,
  Runtime.ImportModuleError, Runtime.UserCodeSyntaxError,
  Runtime.HandlerNotFound, or the error the module raised) and the process
  exits;
- sys.exit() in a handler ends the process, which the host reports as
  Runtime.ExitError;
- the root logger writes "[LEVEL]\\ttimestamp\\trequestId\\tmessage" lines to
  standard output, which is unbuffered, as Lambda's text log format does.
"""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

PREFIX = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


class Fault(Exception):
    """A load failure with Lambda's error type, e.g. Runtime.HandlerNotFound."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class Client:
    """The Runtime API client: one keep-alive connection to the host."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.conn = http.client.HTTPConnection(host, int(port))

    def call(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, resp, data

    def next(self):
        status, resp, data = self.call("GET", PREFIX + "/invocation/next")
        if status != 200:
            raise RuntimeError("GET /runtime/invocation/next answered %d" % status)
        return resp, data

    def post(self, path, document, error_type=None):
        body = document.encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers[ERROR_TYPE_HEADER] = error_type
        self.call("POST", PREFIX + path, body, headers)

    def response(self, request_id, result):
        try:
            body = json.dumps(result, ensure_ascii=False)
        except (TypeError, ValueError) as e:
            self.error(request_id, error_document(
                "Unable to marshal response: %s" % e, "Runtime.MarshalError", [], request_id))
            return
        self.post("/invocation/%s/response" % request_id, body)

    def error(self, request_id, document):
        self.post("/invocation/%s/error" % request_id, json.dumps(document), document["errorType"])

    def init_error(self, document):
        self.post("/init/error", json.dumps(document), document["errorType"])


def error_document(message, error_type, stack_trace, request_id=""):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": stack_trace or [],
    }


def exception_document(request_id=""):
    """The error document of the exception being handled, the runtime's own
    frames left out of its trace."""
    etype, value, tb = sys.exc_info()
    frames = traceback.extract_tb(tb)
    frames = [f for f in frames if f.filename != __file__] or frames
    return error_document(str(value), etype.__name__, traceback.format_list(frames), request_id)


def log_error(document):
    """Writes an error the way Lambda's text log format does: one record,
    its lines joined by carriage returns."""
    lines = ["[ERROR] %s: %s" % (document["errorType"], document["errorMessage"])]
    if document["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        for frame in document["stackTrace"]:
            lines.extend(frame.splitlines())
    sys.stdout.write("\r".join(lines) + "\n")


def load_handler(name):
    try:
        module_name, function_name = name.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (name, e))
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e))
    handler = getattr(module, function_name, None)
    if handler is None:
        raise Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler


class Context:
    """Lambda's context object for one invocation."""

    def __init__(self, request_id, deadline_ms, function_arn, identity, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = identity
        self.client_context = client_context
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return int(max(self._deadline_ms - time.time() * 1000, 0))


def json_header(value):
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


class RequestIdFilter(logging.Filter):
    """Stamps every log record with the invocation in flight."""

    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


class Unbuffered:
    """A stream that flushes every write, as Lambda's runtime makes stdout."""

    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def write(self, text):
        n = self.stream.write(text)
        self.stream.flush()
        return n

    def writelines(self, lines):
        self.stream.writelines(lines)
        self.stream.flush()


def setup_logging():
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    logging.Formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)


def invoke(client, handler, resp, body):
    request_id = resp.getheader("Lambda-Runtime-Aws-Request-Id", "")
    RequestIdFilter.request_id = request_id
    trace_id = resp.getheader("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        context = Context(
            request_id,
            int(resp.getheader("Lambda-Runtime-Deadline-Ms", "0")),
            resp.getheader("Lambda-Runtime-Invoked-Function-Arn"),
            json_header(resp.getheader("Lambda-Runtime-Cognito-Identity")),
            json_header(resp.getheader("Lambda-Runtime-Client-Context")),
        )
        try:
            event = json.loads(body)
        except ValueError as e:
            raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
        result = handler(event, context)
    except Fault as e:
        document = error_document(e.message, e.error_type, [], request_id)
        log_error(document)
        client.error(request_id, document)
        return
    except Exception:
        document = exception_document(request_id)
        log_error(document)
        client.error(request_id, document)
        return
    client.response(request_id, result)


def main():
    setup_logging()
    client = Client(os.environ["AWS_LAMBDA_RUNTIME_API"])
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sys.path.insert(0, task_root)
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Fault as e:
        document = error_document(e.message, e.error_type, [])
        log_error(document)
        client.init_error(document)
        sys.exit(1)
    except Exception:
        document = exception_document()
        log_error(document)
        client.init_error(document)
        sys.exit(1)
    while True:
        resp, body = client.next()
        invoke(client, handler, resp, body)


if __name__ == "__main__":
    main()
