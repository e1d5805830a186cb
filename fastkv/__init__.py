__version__ = "0.1.0"

#: The Redis release whose behaviour, replies and messages fastkv mirrors
#: (INFO redis_version, HELLO, the start-up log line, config error texts).
REDIS_VERSION = "7.0.15"
