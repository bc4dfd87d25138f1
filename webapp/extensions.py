"""Flask extensions, created unbound and attached in `create_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Storage and the on/off switch come from RATELIMIT_STORAGE_URI and RATELIMIT_ENABLED,
# which the factory sets from the settings. A moving window counts exactly the attempts
# of the last N minutes. When Redis is down the limits are skipped and the error logged,
# rather than refusing every login.
# NOTE: the limiter is one object per process; `init_app` on a second app reconfigures it,
# which only tests do.
limiter = Limiter(
    key_func=get_remote_address,
    strategy="moving-window",
    key_prefix="tournee",
    swallow_errors=True,
)
