# Models by sub-domain; each module lists its public names in __all__.
from .core import *  # noqa: F401,F403
from .intake import *  # noqa: F401,F403
from .lifecycle import *  # noqa: F401,F403
from .portal import *  # noqa: F401,F403
from .warnings import *  # noqa: F401,F403
