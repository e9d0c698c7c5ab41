"""Model adapters: one module per family, registered in ``gemeval.models.registry``."""

from gemeval.models.base import ADAPTERS, Model, ModelError, load_model, parse_model_args

__all__ = ["ADAPTERS", "Model", "ModelError", "load_model", "parse_model_args"]
