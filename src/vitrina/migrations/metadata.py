"""Every domain's tables, gathered for Alembic. A new domain adds its models import here."""

from vitrina.bot import models as bot_models
from vitrina.brands import models as brands_models
from vitrina.catalog import models as catalog_models
from vitrina.commerce import models as commerce_models
from vitrina.conversations import models as conversations_models
from vitrina.core.db import Base
from vitrina.crm import account_models as crm_account_models
from vitrina.crm import models as crm_models
from vitrina.identity import models as identity_models
from vitrina.insights import models as insights_models
from vitrina.ledger import models as ledger_models
from vitrina.privacy import models as privacy_models
from vitrina.routing import models as routing_models
from vitrina.scheduling import models as scheduling_models
from vitrina.training import models as training_models

target_metadata = Base.metadata
__all__ = [
    "bot_models",
    "brands_models",
    "catalog_models",
    "commerce_models",
    "conversations_models",
    "crm_account_models",
    "crm_models",
    "identity_models",
    "insights_models",
    "ledger_models",
    "privacy_models",
    "routing_models",
    "scheduling_models",
    "target_metadata",
    "training_models",
]
