"""The app's models, gathered from the sub-domains so Django (and outside code) finds them in one place.

Code inside ``cases`` imports a model from the sub-domain that owns it (``cases.core.models``, …).
"""

from cases.core.models import *  # noqa: F401,F403
from cases.intake.models import *  # noqa: F401,F403
from cases.integrations.models import *  # noqa: F401,F403
from cases.lifecycle.models import *  # noqa: F401,F403
from cases.portal.models import *  # noqa: F401,F403
from cases.rollups.models import *  # noqa: F401,F403
from cases.warnings.models import *  # noqa: F401,F403
