def handler(event, context):
    return "from pkg/app.py"
