"""SeqIO registrations: ``import symtune_jax.tasks`` registers every task family.

Registration is cheap and idempotent: no file scans, model loads or data
generation at import time. Each family lives in its own module.
"""

from symtune_jax.tasks import sql  # noqa: F401
from symtune_jax.tasks import symbols  # noqa: F401
from symtune_jax.tasks import instructions  # noqa: F401
from symtune_jax.tasks import evaluation  # noqa: F401
# Mixtures last: they name tasks of the families above.
from symtune_jax.tasks import mixtures  # noqa: F401
