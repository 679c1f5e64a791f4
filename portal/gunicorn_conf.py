"""gunicorn's logging for the web service: `gunicorn --config=python:portal.gunicorn_conf ...`
(Dockerfile, docker-compose.yml). https://docs.gunicorn.org/en/stable/settings.html

Access lines keep gunicorn's default (combined) format, whose request line and Referer can hold
a signed link or a search: the logger class below passes every access and error line through
portal.logs' redacting filter, which replaces tokens, search words and email addresses with
markers such as "[token]".
"""

from gunicorn.glogging import Logger

from portal.logs import add_redaction

# The address and the number of workers are on the command line. Access lines go to standard
# output and errors to standard error: the container's log.
accesslog = "-"
errorlog = "-"


class RedactingLogger(Logger):
    def setup(self, cfg):
        # setup() runs again on a configuration reload and replaces gunicorn's handlers, so the
        # filter is added each time.
        super().setup(cfg)
        add_redaction(self.access_log)
        add_redaction(self.error_log)


logger_class = RedactingLogger
