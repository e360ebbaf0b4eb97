"""``actions-core serve``: the intake, the queue and delivery, run as one service."""
