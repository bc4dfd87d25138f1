"""Redis databases used by the tests, on the server named by TOURNEE_TEST_REDIS_SERVER.

Several test runs on one machine each need their own Redis server (a second
`redis-server --port 6380`, say), because the tests flush these databases.
"""

import os

SERVER_URL = os.environ.get("TOURNEE_TEST_REDIS_SERVER", "redis://127.0.0.1:6379").rstrip("/")

JOBS_REDIS_URL = f"{SERVER_URL}/15"
LIMITS_REDIS_URL = f"{SERVER_URL}/14"
PRIVACY_REDIS_URL = f"{SERVER_URL}/13"
