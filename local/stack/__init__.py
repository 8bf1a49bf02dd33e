"""The local stack: the catalog's workflows, their functions and the AWS services they use, on one machine."""

from __future__ import annotations

from local.stack.config import StackConfig
from local.stack.stack import LocalStack, StackAddresses

__all__ = ["LocalStack", "StackAddresses", "StackConfig"]
