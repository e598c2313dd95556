"""Moved to `keiretsu.programme.scoring` (below the catalogue and the assessments, so that
neither depends on the other). Kept importable while branches written before the move are
merged; new code imports `keiretsu.programme.scoring`."""

from keiretsu.programme.scoring import *
from keiretsu.programme.scoring import __all__  # noqa: F401
