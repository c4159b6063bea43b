"""`python -m rmo_portal.tests.frozen_celery -A rmo_portal worker|beat …`: Celery with its clock started at
FROZEN_AT (ISO 8601, with the zone) and ticking from there, so that a live test can run the beat schedule and a
worker on a day of its choosing instead of the machine's clock."""

import os
import sys

import time_machine


def main() -> None:
    traveller = time_machine.travel(os.environ["FROZEN_AT"], tick=True)
    traveller.start()
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
