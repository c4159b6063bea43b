"""The deadline engine's associations (a Вилюйский УМО, a Печорский РМО and the head), for every reports test."""

from reports.tests.test_deadlines import head, pechora, vilyuisk  # noqa: F401 (fixtures shared by the modules)
