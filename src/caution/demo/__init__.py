"""The built-in demo: a small online shop monorepo and a walk through caution's gate."""

from caution.demo.shop import Shop, build_shop
from caution.demo.walkthrough import run_walkthrough

__all__ = ["Shop", "build_shop", "run_walkthrough"]
