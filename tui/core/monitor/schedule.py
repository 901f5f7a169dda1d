"""How often the monitor samples health, and how old a health sample may get before it is stale.

Apart from the monitor itself, so the app can read them before its first frame
without importing the monitor and its observations (built just after that frame).
"""

from __future__ import annotations

from tui.core.health import DB_CHECK_TIMEOUT

HEALTH_INTERVAL = 5.0  # seconds from the end of one health run to the start of the next
# A new authdaemond warning or error in the followed log starts the health run at once (the
# strip's last error and the Overview's list follow the log), but a storm of them at most
# once per this many seconds.
LOG_WAKE_GAP = 2.0
# The oldest a hop's sample may be before the x-ray shows it as stale.
STALE_AFTER = HEALTH_INTERVAL + DB_CHECK_TIMEOUT + 2.0
