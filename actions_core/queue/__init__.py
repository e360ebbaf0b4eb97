"""The durable event queue behind ``actions-core serve`` (the embedded SQLite store)."""
