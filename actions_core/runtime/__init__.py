"""Run time: reading, routing, batching, performing and recording every event's outcome."""
