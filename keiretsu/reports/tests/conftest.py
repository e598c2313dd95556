# The interchange tests' fixtures (assessments with answers, the enterprise edition).
from keiretsu.interchange.tests.conftest import *  # noqa: F403
