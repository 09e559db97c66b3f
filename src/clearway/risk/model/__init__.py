"""Risk models: a generic GBDT core, targeting metrics, a registry of versions, and the KCS format.

The stable interface for callers (e.g. scoring stored shipments)::

    from clearway.risk.model import FeatureSpec, ModelArtifact, train
    from clearway.risk.errors import FeatureError, ModelFileError
    from clearway.risk.model import registry            # register, activate, active, list_versions
    from clearway.risk.model.metrics import precision_at, recall_at, auc

The names are loaded on first use, so that importing the ``clearway model`` command line (and so
every ``clearway`` command) does not load LightGBM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clearway.risk.model.gbdt import FeatureSpec, ModelArtifact, train

__all__ = ["FeatureSpec", "ModelArtifact", "train"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from clearway.risk.model import gbdt

        return getattr(gbdt, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
