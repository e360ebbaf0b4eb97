"""HTTP intake for ``actions-core serve``: Segment's HTTP Tracking API, to the queue."""
