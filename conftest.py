"""Test-session setup that must run before scipy is imported.

scikit-learn's array API support (``array_api_dispatch=True``), used by
``tests/test_array_api.py`` and by its estimator checks in
``tests/test_common.py``, needs scipy's own array API support, which scipy
reads from ``SCIPY_ARRAY_API`` once, when it is first imported.  pytest
imports this file, at the root of the repository, before the test modules
and the package, so ``python -m pytest`` runs those checks without setting
the variable by hand.  An explicit setting in the environment is kept.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
